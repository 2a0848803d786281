-- Delivery (the HL7 outbox): one row per released requisition with the exact bytes sent, and an
-- append-only event log of every attempt, ACK and person's decision.
--
-- The rule this schema enforces: a message that may have reached the LIS (its last byte was
-- handed to the network) is never sent again by the machine. The worker marks an attempt
-- "written" (and commits) before writing; from then on the row can only end as acked,
-- rejected, error or ambiguous. Only a person, in a live MFA session, turns an ambiguous,
-- error or rejected delivery back to pending ("resend anyway") or to acked ("received by LIS").

CREATE TABLE deliveries (
  id uuid PRIMARY KEY,
  requisition_id uuid NOT NULL UNIQUE REFERENCES requisitions (id),
  document_id uuid NOT NULL REFERENCES documents (id),
  -- MSH-10: the same on every attempt and every resend, so the LIS can spot duplicates.
  control_id text NOT NULL UNIQUE CHECK (control_id ~ '^[A-Za-z0-9._-]{1,20}$'),
  placer_order_number text NOT NULL,
  profile text NOT NULL CHECK (profile IN ('OML_O21', 'ORM_O01')),
  -- Where it goes (host, port, TLS, applications, timeouts): no PHI.
  connection jsonb NOT NULL,
  -- The exact bytes sent, sealed with the document's data key.
  payload bytea NOT NULL,
  payload_sha256 text NOT NULL CHECK (payload_sha256 ~ '^[0-9a-f]{64}$'),
  payload_bytes integer NOT NULL CHECK (payload_bytes > 0),
  state text NOT NULL CHECK (state IN ('pending', 'sending', 'acked', 'rejected', 'error', 'ambiguous')),
  -- Why the row is in its state, in words (no PHI): e.g. "no ACK within 30 s".
  state_reason text,
  attempts integer NOT NULL DEFAULT 0,
  -- Consecutive attempts that never left us; the worker gives up (state error) at its limit.
  not_sent_streak integer NOT NULL DEFAULT 0,
  -- Set (and committed) just before the current attempt's frame is written.
  current_attempt_written boolean NOT NULL DEFAULT false,
  -- While sending: past this time a worker that holds the row is presumed dead.
  lease_until timestamptz,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  ack_code text CHECK (ack_code IN ('AA', 'AE', 'AR', 'CA', 'CE', 'CR')),
  ack_control_id text,
  -- The ACK bytes and its text, sealed with the document's data key.
  ack_message bytea,
  ack_text bytea,
  lis_order_number text,
  -- [{ placer, filler }] from the ACK's ORC segments.
  lis_orders jsonb NOT NULL DEFAULT '[]',
  acked_at timestamptz,
  resolution text CHECK (resolution IN ('resent', 'marked_received')),
  resolved_by uuid REFERENCES users (id),
  resolved_session_id uuid REFERENCES sessions (id),
  resolved_at timestamptz,
  resend_count integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (state <> 'sending' OR lease_until IS NOT NULL),
  CHECK ((resolution IS NULL) = (resolved_by IS NULL))
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX deliveries_sending ON deliveries (lease_until) WHERE state = 'sending';
CREATE INDEX deliveries_attention ON deliveries (updated_at) WHERE state IN ('ambiguous', 'error', 'rejected');
GRANT SELECT, INSERT, UPDATE ON deliveries TO nexession_app;

CREATE FUNCTION delivery_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id IS DISTINCT FROM OLD.id OR NEW.requisition_id IS DISTINCT FROM OLD.requisition_id
     OR NEW.document_id IS DISTINCT FROM OLD.document_id OR NEW.control_id IS DISTINCT FROM OLD.control_id
     OR NEW.placer_order_number IS DISTINCT FROM OLD.placer_order_number OR NEW.profile IS DISTINCT FROM OLD.profile
     OR NEW.payload IS DISTINCT FROM OLD.payload OR NEW.payload_sha256 IS DISTINCT FROM OLD.payload_sha256
     OR NEW.payload_bytes IS DISTINCT FROM OLD.payload_bytes OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
    RAISE EXCEPTION 'a delivery''s message is fixed once enqueued' USING ERRCODE = 'check_violation';
  END IF;
  IF OLD.state = 'acked' THEN
    RAISE EXCEPTION 'an acknowledged delivery is final' USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.attempts < OLD.attempts OR NEW.resend_count < OLD.resend_count THEN
    RAISE EXCEPTION 'attempt counters only grow' USING ERRCODE = 'check_violation';
  END IF;

  IF NEW.state = OLD.state THEN
    -- In place: only a sending row may be marked written (never unmarked).
    IF NEW.current_attempt_written IS DISTINCT FROM OLD.current_attempt_written
       AND NOT (OLD.state = 'sending' AND NEW.current_attempt_written AND NEW.attempts = OLD.attempts) THEN
      RAISE EXCEPTION 'an attempt is marked written once, while sending' USING ERRCODE = 'check_violation';
    END IF;
  ELSIF OLD.state = 'pending' AND NEW.state = 'sending' THEN
    IF NEW.attempts <> OLD.attempts + 1 OR NEW.current_attempt_written THEN
      RAISE EXCEPTION 'a new attempt starts unwritten with the next attempt number' USING ERRCODE = 'check_violation';
    END IF;
  ELSIF OLD.state = 'pending' AND NEW.state = 'error' THEN
    NULL; -- the worker gave up: nothing was ever written
  ELSIF OLD.state = 'sending' AND NEW.state = 'pending' THEN
    -- Retry of a transient failure: only when this attempt's frame was never written.
    IF OLD.current_attempt_written THEN
      RAISE EXCEPTION 'a written message is never resent automatically (delivery %)', OLD.id USING ERRCODE = 'check_violation';
    END IF;
  ELSIF OLD.state = 'sending' AND NEW.state IN ('acked', 'rejected', 'error', 'ambiguous') THEN
    IF NEW.state <> 'ambiguous' AND NEW.state <> 'error' AND NEW.ack_code IS NULL THEN
      RAISE EXCEPTION 'an acked or rejected delivery records its ACK code' USING ERRCODE = 'check_violation';
    END IF;
  ELSIF OLD.state IN ('ambiguous', 'error', 'rejected') AND NEW.state IN ('pending', 'acked') THEN
    -- A person's decision: "resend anyway" or "received by the LIS".
    IF NEW.resolved_by IS NULL OR NEW.resolved_at IS NULL
       OR (NEW.resolved_by IS NOT DISTINCT FROM OLD.resolved_by AND NEW.resolved_at IS NOT DISTINCT FROM OLD.resolved_at)
       OR NOT is_live_mfa_session(NEW.resolved_session_id, NEW.resolved_by, ARRAY['lead_reviewer', 'admin']) THEN
      RAISE EXCEPTION 'only a lead reviewer or admin in a live MFA session decides what happens to a % delivery', OLD.state
        USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.state = 'pending' AND (NEW.resolution IS DISTINCT FROM 'resent' OR NEW.resend_count <> OLD.resend_count + 1 OR NEW.current_attempt_written) THEN
      RAISE EXCEPTION 'a resend is recorded as such' USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.state = 'acked' AND (NEW.resolution IS DISTINCT FROM 'marked_received' OR OLD.state = 'rejected') THEN
      RAISE EXCEPTION 'only an ambiguous or failed delivery can be marked as received' USING ERRCODE = 'check_violation';
    END IF;
  ELSE
    RAISE EXCEPTION 'delivery cannot go from % to %', OLD.state, NEW.state USING ERRCODE = 'check_violation';
  END IF;
  NEW.updated_at := now();
  RETURN NEW;
END
$$;
CREATE TRIGGER deliveries_guard BEFORE UPDATE ON deliveries FOR EACH ROW EXECUTE FUNCTION delivery_guard();

CREATE FUNCTION delivery_insert_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.state <> 'pending' OR NEW.attempts <> 0 OR NEW.current_attempt_written OR NEW.ack_code IS NOT NULL
     OR NEW.resolution IS NOT NULL OR NEW.resend_count <> 0 THEN
    RAISE EXCEPTION 'a delivery starts pending, unsent' USING ERRCODE = 'check_violation';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM requisitions r WHERE r.id = NEW.requisition_id AND r.document_id = NEW.document_id
                 AND r.state IN ('released', 'delivered', 'delivery_failed')) THEN
    RAISE EXCEPTION 'only a released requisition is delivered' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER deliveries_insert_guard BEFORE INSERT ON deliveries FOR EACH ROW EXECUTE FUNCTION delivery_insert_guard();

CREATE FUNCTION delivery_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is kept as evidence (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER deliveries_no_delete BEFORE DELETE ON deliveries FOR EACH ROW EXECUTE FUNCTION delivery_no_delete();

-- Every attempt, outcome, stray frame and decision, in order. Append-only. No PHI: codes,
-- reasons in words, counts, ids (the ACK bytes themselves are sealed on the delivery row).
CREATE TABLE delivery_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id uuid NOT NULL REFERENCES deliveries (id),
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  attempt integer,
  kind text NOT NULL CHECK (kind IN (
    'enqueued', 'attempt_started', 'writing', 'acked', 'not_sent', 'ambiguous', 'interrupted',
    'unmatched_frame', 'late_ack', 'gave_up', 'resend_requested', 'marked_received')),
  reason text,
  ack_code text,
  -- 'worker' or a user id.
  actor text NOT NULL,
  details jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX delivery_events_delivery ON delivery_events (delivery_id, id);
GRANT SELECT, INSERT ON delivery_events TO nexession_app;

CREATE TRIGGER delivery_events_no_update BEFORE UPDATE OR DELETE ON delivery_events FOR EACH ROW EXECUTE FUNCTION delivery_no_delete();
CREATE TRIGGER delivery_events_no_truncate BEFORE TRUNCATE ON delivery_events FOR EACH STATEMENT EXECUTE FUNCTION delivery_no_delete();
CREATE TRIGGER deliveries_no_truncate BEFORE TRUNCATE ON deliveries FOR EACH STATEMENT EXECUTE FUNCTION delivery_no_delete();

-- Control ids for the requisitions area: NX + 12 digits, unique for the life of the database.
CREATE SEQUENCE delivery_control_id_seq;
GRANT USAGE ON SEQUENCE delivery_control_id_seq TO nexession_app;
