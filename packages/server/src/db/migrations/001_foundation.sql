-- Foundation: encryption keys, people, sessions, and the append-only audit log.
-- Runs as the owner role; the application logs in as nexession_app (DML grants only).
-- Numbering: 001-049 and 060+ belong to the core; 050-059 to the delivery area.

-- Per-object data keys, wrapped by a key-encryption key the database never sees.
CREATE TABLE data_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kek_version integer NOT NULL,
  wrapped bytea NOT NULL,
  purpose text NOT NULL CHECK (purpose IN ('system', 'document', 'template')),
  created_at timestamptz NOT NULL DEFAULT now(),
  destroyed_at timestamptz
);
GRANT SELECT, INSERT, UPDATE ON data_keys TO nexession_app;

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  username text NOT NULL CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,63}$'),
  display_name text NOT NULL,
  roles text[] NOT NULL CHECK (roles <@ ARRAY['reviewer', 'lead_reviewer', 'admin', 'auditor']::text[] AND cardinality(roles) > 0),
  status text NOT NULL CHECK (status IN ('invited', 'enrolling', 'active', 'disabled')),
  password_hash text,
  -- TOTP secret, sealed with the system data key.
  totp_secret bytea,
  totp_last_step bigint,
  failed_logins integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  is_demo boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid REFERENCES users (id),
  CHECK (status NOT IN ('active') OR (password_hash IS NOT NULL AND totp_secret IS NOT NULL))
);
CREATE UNIQUE INDEX users_username ON users (username);
GRANT SELECT, INSERT, UPDATE ON users TO nexession_app;

-- One-time links: the first administrator's setup link and invitations. Only the hash is kept.
CREATE TABLE setup_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  token_hash bytea NOT NULL UNIQUE,
  kind text NOT NULL CHECK (kind IN ('first_admin', 'invite')),
  user_id uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  CHECK (kind = 'first_admin' OR user_id IS NOT NULL)
);
GRANT SELECT, INSERT, UPDATE ON setup_tokens TO nexession_app;

-- Server-side sessions. The cookie carries a random token; only its hash is stored.
CREATE TABLE sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  token_hash bytea NOT NULL UNIQUE,
  user_id uuid NOT NULL REFERENCES users (id),
  stage text NOT NULL CHECK (stage IN ('password', 'full')),
  csrf text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  mfa_verified_at timestamptz,
  ended_at timestamptz,
  end_reason text,
  source_ip text,
  CHECK (stage = 'password' OR mfa_verified_at IS NOT NULL)
);
CREATE INDEX sessions_user ON sessions (user_id) WHERE ended_at IS NULL;
GRANT SELECT, INSERT, UPDATE ON sessions TO nexession_app;

-- ---------------------------------------------------------------------------------------------
-- Audit: append-only, hash-chained. The chain fields are computed here, not by the application.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE audit_events (
  seq bigint PRIMARY KEY,
  at timestamptz NOT NULL,
  actor_type text NOT NULL CHECK (actor_type IN ('user', 'service', 'anonymous')),
  actor_id text NOT NULL,
  session_id uuid,
  action text NOT NULL,
  object_type text NOT NULL,
  object_id text NOT NULL,
  field text,
  -- before and after values, sealed with the data key of the object they belong to.
  before bytea,
  after bytea,
  request_id text,
  source_ip text,
  -- JSON text without PHI (ids, counts, reasons in words).
  details text,
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX audit_events_object ON audit_events (object_type, object_id);
CREATE INDEX audit_events_actor ON audit_events (actor_id);
CREATE INDEX audit_events_at ON audit_events (at);

CREATE FUNCTION audit_part(value text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN value IS NULL THEN '-' ELSE '+' || value END
$$;

-- The canonical text that is hashed. audit/chain.ts computes the same string.
CREATE FUNCTION audit_canonical(e audit_events) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT e.prev_hash || chr(10) || array_to_string(ARRAY[
    e.seq::text,
    ((extract(epoch FROM e.at) * 1000)::bigint)::text,
    audit_part(e.actor_type),
    audit_part(e.actor_id),
    audit_part(e.session_id::text),
    audit_part(e.action),
    audit_part(e.object_type),
    audit_part(e.object_id),
    audit_part(e.field),
    audit_part(encode(e.before, 'hex')),
    audit_part(encode(e.after, 'hex')),
    audit_part(e.request_id),
    audit_part(e.source_ip),
    audit_part(e.details)
  ], chr(10))
$$;

CREATE FUNCTION audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  last_seq bigint;
  last_hash text;
BEGIN
  -- One writer at a time, until commit: sequence order is commit order.
  PERFORM pg_advisory_xact_lock(7310245002);
  SELECT seq, hash INTO last_seq, last_hash FROM audit_events ORDER BY seq DESC LIMIT 1;
  NEW.seq := coalesce(last_seq, 0) + 1;
  NEW.prev_hash := coalesce(last_hash, repeat('0', 64));
  NEW.at := date_trunc('milliseconds', clock_timestamp());
  NEW.hash := encode(sha256(convert_to(audit_canonical(NEW), 'UTF8')), 'hex');
  RETURN NEW;
END
$$;

CREATE FUNCTION audit_forbid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_events_chain BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_chain();
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_forbid();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION audit_forbid();

GRANT SELECT, INSERT ON audit_events TO nexession_app;
