-- Break-glass emergency access (HIPAA 45 CFR 164.312(a)(2)(ii)): a person in a live MFA session
-- states a reason and gets, for a bounded time, read access to PHI their role does not give.
-- It never grants a change: the server opens only read routes to it, and the database refuses a
-- release from a session that holds one. Every audit event written by that session while it is
-- open carries its id (filled in here if the application forgot), so the trail joins on it.
-- A second person (lead reviewer, administrator or auditor) acknowledges each one afterwards.

CREATE TABLE break_glass (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id),
  session_id uuid NOT NULL REFERENCES sessions (id),
  -- The reason in the person's words, sealed with the system data key (people write names).
  reason bytea NOT NULL CHECK (octet_length(reason) > 0),
  opened_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  ended_at timestamptz,
  end_reason text CHECK (end_reason IN ('ended', 'expired', 'session_ended')),
  reviewed_by uuid REFERENCES users (id),
  reviewed_at timestamptz,
  reviewed_session_id uuid REFERENCES sessions (id),
  -- The reviewer's note, sealed with the system data key.
  review_note bytea,
  CHECK (expires_at > opened_at AND expires_at <= opened_at + interval '4 hours'),
  CHECK ((ended_at IS NULL) = (end_reason IS NULL)),
  CHECK ((reviewed_by IS NULL) = (reviewed_at IS NULL) AND (reviewed_by IS NULL) = (reviewed_session_id IS NULL)),
  -- Acknowledged by a second person, never by the one who broke the glass.
  CHECK (reviewed_by IS NULL OR reviewed_by <> user_id),
  CHECK (reviewed_by IS NULL OR ended_at IS NOT NULL)
);
-- One open break-glass per session.
CREATE UNIQUE INDEX break_glass_open ON break_glass (session_id) WHERE ended_at IS NULL;
CREATE INDEX break_glass_opened ON break_glass (opened_at);
GRANT SELECT, INSERT, UPDATE ON break_glass TO nexession_app;

CREATE FUNCTION break_glass_insert_guard() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF NEW.ended_at IS NOT NULL OR NEW.reviewed_by IS NOT NULL OR NEW.review_note IS NOT NULL THEN
    RAISE EXCEPTION 'a break-glass starts open and unreviewed' USING ERRCODE = 'check_violation';
  END IF;
  IF NOT is_live_mfa_session(NEW.session_id, NEW.user_id, ARRAY['reviewer', 'lead_reviewer', 'admin', 'auditor']) THEN
    RAISE EXCEPTION 'break-glass is opened only by a person in a live MFA session' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER break_glass_insert_guard BEFORE INSERT ON break_glass FOR EACH ROW EXECUTE FUNCTION break_glass_insert_guard();

CREATE FUNCTION break_glass_guard() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF NEW.id IS DISTINCT FROM OLD.id OR NEW.user_id IS DISTINCT FROM OLD.user_id OR NEW.session_id IS DISTINCT FROM OLD.session_id
     OR NEW.reason IS DISTINCT FROM OLD.reason OR NEW.opened_at IS DISTINCT FROM OLD.opened_at
     OR NEW.expires_at IS DISTINCT FROM OLD.expires_at THEN
    RAISE EXCEPTION 'a break-glass record is fixed once opened (only its end and its review are written)' USING ERRCODE = 'check_violation';
  END IF;
  IF OLD.ended_at IS NOT NULL AND (NEW.ended_at IS DISTINCT FROM OLD.ended_at OR NEW.end_reason IS DISTINCT FROM OLD.end_reason) THEN
    RAISE EXCEPTION 'a break-glass ends once' USING ERRCODE = 'check_violation';
  END IF;
  IF OLD.reviewed_by IS NOT NULL AND (NEW.reviewed_by IS DISTINCT FROM OLD.reviewed_by OR NEW.reviewed_at IS DISTINCT FROM OLD.reviewed_at
       OR NEW.reviewed_session_id IS DISTINCT FROM OLD.reviewed_session_id OR NEW.review_note IS DISTINCT FROM OLD.review_note) THEN
    RAISE EXCEPTION 'a break-glass is acknowledged once' USING ERRCODE = 'check_violation';
  END IF;
  IF OLD.reviewed_by IS NULL AND NEW.reviewed_by IS NOT NULL
     AND NOT is_live_mfa_session(NEW.reviewed_session_id, NEW.reviewed_by, ARRAY['lead_reviewer', 'admin', 'auditor']) THEN
    RAISE EXCEPTION 'a break-glass is acknowledged by a lead reviewer, administrator or auditor in a live MFA session'
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER break_glass_guard BEFORE UPDATE ON break_glass FOR EACH ROW EXECUTE FUNCTION break_glass_guard();
CREATE TRIGGER break_glass_no_delete BEFORE DELETE ON break_glass FOR EACH ROW EXECUTE FUNCTION delivery_no_delete();
CREATE TRIGGER break_glass_no_truncate BEFORE TRUNCATE ON break_glass FOR EACH STATEMENT EXECUTE FUNCTION delivery_no_delete();

-- Break-glass never releases: not from the session that holds an open one, whatever its roles.
CREATE FUNCTION requisition_break_glass_guard() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF NEW.state = 'released' AND OLD.state IS DISTINCT FROM 'released'
     AND EXISTS (SELECT 1 FROM break_glass b WHERE b.session_id = NEW.released_session_id AND b.ended_at IS NULL) THEN
    RAISE EXCEPTION 'release refused: the releasing session holds break-glass access' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER requisitions_break_glass_guard BEFORE UPDATE ON requisitions FOR EACH ROW EXECUTE FUNCTION requisition_break_glass_guard();

-- ---------------------------------------------------------------------------------------------
-- Audit events carry the break-glass they were made under, inside the hash.
-- ---------------------------------------------------------------------------------------------
ALTER TABLE audit_events ADD COLUMN break_glass_id uuid REFERENCES break_glass (id);
CREATE INDEX audit_events_break_glass ON audit_events (break_glass_id) WHERE break_glass_id IS NOT NULL;

-- The canonical text gains one part, only when the column is set: every earlier event hashes as
-- before, and clearing or setting the column on a stored event changes its hash.
CREATE OR REPLACE FUNCTION audit_canonical(e audit_events) RETURNS text LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, public, pg_temp AS $$
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
  ] || CASE WHEN e.break_glass_id IS NULL THEN ARRAY[]::text[] ELSE ARRAY['bg+' || e.break_glass_id::text] END, chr(10))
$$;

-- Fires before audit_events_chain (trigger names run in alphabetical order), so the hash covers it.
CREATE FUNCTION audit_break_glass() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  open_id uuid;
BEGIN
  IF NEW.break_glass_id IS NULL THEN
    IF NEW.actor_type = 'user' AND NEW.session_id IS NOT NULL THEN
      SELECT b.id INTO open_id FROM break_glass b WHERE b.session_id = NEW.session_id AND b.ended_at IS NULL;
      NEW.break_glass_id := open_id;
    END IF;
  ELSIF NOT EXISTS (SELECT 1 FROM break_glass b WHERE b.id = NEW.break_glass_id AND NEW.actor_type = 'user'
                    AND b.user_id::text = NEW.actor_id AND b.session_id = NEW.session_id) THEN
    RAISE EXCEPTION 'an audit event names only its own session''s break-glass' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER audit_events_break_glass BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_break_glass();
