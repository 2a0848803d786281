-- Requisitions, their fields, and the release guard (rule 1, enforced by the database).

CREATE TABLE requisitions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  document_id uuid NOT NULL REFERENCES documents (id),
  -- Document page indexes that make up this requisition, in order.
  pages integer[] NOT NULL CHECK (cardinality(pages) > 0),
  template_id text,
  template_version integer,
  state text NOT NULL CHECK (state IN ('reading', 'ready_for_review', 'in_review', 'released', 'delivered', 'delivery_failed', 'escalated', 'rejected')),
  priority text NOT NULL CHECK (priority IN ('stat', 'routine')),
  -- Set when the STAT box was flagged: a person decides; the queue treats it as STAT until then.
  priority_unsure boolean NOT NULL DEFAULT false,
  needs_classification boolean NOT NULL DEFAULT false,
  received_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  assignee uuid REFERENCES users (id),
  claimed_at timestamptz,
  -- Incremented by the database whenever a field's value or review changes; the identity
  -- revision only when a patient field changes.
  field_revision integer NOT NULL DEFAULT 0,
  identity_fields_revision integer NOT NULL DEFAULT 0,
  identity_confirmed_by uuid REFERENCES users (id),
  identity_confirmed_at timestamptz,
  identity_session_id uuid REFERENCES sessions (id),
  identity_identifiers text[],
  identity_revision integer,
  -- Warning codes and messages shown to the person who confirmed identity (no PHI).
  identity_warnings jsonb NOT NULL DEFAULT '[]',
  validation_passed boolean,
  validation_revision integer,
  validation jsonb,
  released_by uuid REFERENCES users (id),
  released_at timestamptz,
  released_session_id uuid REFERENCES sessions (id),
  escalated_by uuid REFERENCES users (id),
  escalated_reason bytea,
  placer_order_number text UNIQUE,
  control_id text UNIQUE,
  FOREIGN KEY (template_id, template_version) REFERENCES templates (id, version),
  CHECK ((template_id IS NULL) = (template_version IS NULL))
);
CREATE INDEX requisitions_queue ON requisitions (state, priority, received_at);
CREATE INDEX requisitions_document ON requisitions (document_id);
GRANT SELECT, INSERT, UPDATE ON requisitions TO nexession_app;

CREATE TABLE requisition_fields (
  requisition_id uuid NOT NULL REFERENCES requisitions (id),
  key text NOT NULL,
  label text NOT NULL,
  section text NOT NULL,
  ord integer NOT NULL,
  kind text NOT NULL CHECK (kind IN ('checkbox', 'text', 'barcode')),
  role text NOT NULL,
  -- The meaning from the LabForm: role value, test code and name as printed (no PHI).
  meaning jsonb NOT NULL,
  page integer NOT NULL,
  region jsonb NOT NULL,
  method text NOT NULL CHECK (method IN ('checkbox', 'ocr', 'barcode', 'manual')),
  -- Values are PHI: sealed JSON (string | boolean | null) with the document's data key.
  machine_value bytea,
  value bytea,
  confidence real,
  -- Checkbox numbers (state, ratio, counts, thresholds): pixel arithmetic, no PHI.
  checkbox jsonb,
  -- Reader evidence (OCR words are PHI): sealed JSON.
  evidence bytea,
  flags bytea,
  flag_count integer NOT NULL DEFAULT 0,
  review_state text NOT NULL DEFAULT 'unreviewed' CHECK (review_state IN ('unreviewed', 'confirmed', 'corrected', 'absent_on_source')),
  reviewed_by uuid REFERENCES users (id),
  reviewed_at timestamptz,
  reviewed_session_id uuid REFERENCES sessions (id),
  flags_acknowledged boolean NOT NULL DEFAULT false,
  PRIMARY KEY (requisition_id, key),
  CHECK (review_state = 'unreviewed' OR (reviewed_by IS NOT NULL AND reviewed_session_id IS NOT NULL))
);
GRANT SELECT, INSERT, UPDATE ON requisition_fields TO nexession_app;

-- A live, MFA-verified session of an active person holding one of `roles`.
CREATE FUNCTION is_live_mfa_session(session uuid, person uuid, allowed text[]) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (
    SELECT 1 FROM sessions s JOIN users u ON u.id = s.user_id
    WHERE s.id = session AND s.user_id = person
      AND s.stage = 'full' AND s.mfa_verified_at IS NOT NULL AND s.ended_at IS NULL
      AND u.status = 'active' AND u.roles && allowed
  )
$$;

-- A field's change bumps its requisition's revision; validation and identity are tied to one.
CREATE FUNCTION requisition_field_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  parent_state text;
BEGIN
  SELECT state INTO parent_state FROM requisitions WHERE id = NEW.requisition_id;
  IF parent_state IN ('released', 'delivered', 'delivery_failed', 'rejected') THEN
    RAISE EXCEPTION 'requisition % is %: its fields are final', NEW.requisition_id, parent_state
      USING ERRCODE = 'check_violation';
  END IF;
  IF TG_OP = 'UPDATE' AND (
       NEW.requisition_id IS DISTINCT FROM OLD.requisition_id OR NEW.key IS DISTINCT FROM OLD.key
       OR NEW.machine_value IS DISTINCT FROM OLD.machine_value OR NEW.evidence IS DISTINCT FROM OLD.evidence
       OR NEW.checkbox IS DISTINCT FROM OLD.checkbox OR NEW.meaning IS DISTINCT FROM OLD.meaning) THEN
    RAISE EXCEPTION 'what the machine read is never rewritten' USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.review_state <> 'unreviewed' AND (TG_OP = 'INSERT' OR NEW.reviewed_session_id IS DISTINCT FROM OLD.reviewed_session_id
       OR NEW.review_state IS DISTINCT FROM OLD.review_state OR NEW.value IS DISTINCT FROM OLD.value)
     AND NOT is_live_mfa_session(NEW.reviewed_session_id, NEW.reviewed_by, ARRAY['reviewer', 'lead_reviewer']) THEN
    RAISE EXCEPTION 'a field is reviewed only by a reviewer in a live MFA session' USING ERRCODE = 'check_violation';
  END IF;
  UPDATE requisitions SET
    field_revision = field_revision + 1,
    identity_fields_revision = identity_fields_revision + CASE WHEN NEW.role LIKE 'patient.%' THEN 1 ELSE 0 END,
    updated_at = now()
  WHERE id = NEW.requisition_id;
  RETURN NEW;
END
$$;
CREATE TRIGGER requisition_fields_changed BEFORE INSERT OR UPDATE ON requisition_fields
  FOR EACH ROW EXECUTE FUNCTION requisition_field_changed();

CREATE FUNCTION requisition_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  unreviewed integer;
  total integer;
BEGIN
  IF (NEW.field_revision IS DISTINCT FROM OLD.field_revision OR NEW.identity_fields_revision IS DISTINCT FROM OLD.identity_fields_revision)
     AND pg_trigger_depth() < 2 THEN
    RAISE EXCEPTION 'field_revision is kept by the database' USING ERRCODE = 'check_violation';
  END IF;
  IF OLD.state IN ('released', 'delivered', 'delivery_failed') AND (
       NEW.released_by IS DISTINCT FROM OLD.released_by OR NEW.released_at IS DISTINCT FROM OLD.released_at
       OR NEW.released_session_id IS DISTINCT FROM OLD.released_session_id
       OR NEW.identity_confirmed_by IS DISTINCT FROM OLD.identity_confirmed_by
       OR NEW.validation IS DISTINCT FROM OLD.validation OR NEW.document_id IS DISTINCT FROM OLD.document_id) THEN
    RAISE EXCEPTION 'a released requisition is final' USING ERRCODE = 'check_violation';
  END IF;
  IF OLD.state IN ('released', 'delivered', 'delivery_failed') AND NEW.state NOT IN ('released', 'delivered', 'delivery_failed') THEN
    RAISE EXCEPTION 'a released requisition cannot go back to %', NEW.state USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.state IN ('delivered', 'delivery_failed') AND OLD.state NOT IN ('released', 'delivered', 'delivery_failed') THEN
    RAISE EXCEPTION 'only a released requisition can be delivered' USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.state = 'released' AND OLD.state IS DISTINCT FROM 'released' THEN
    IF OLD.state NOT IN ('ready_for_review', 'in_review') THEN
      RAISE EXCEPTION 'release refused: requisition is %', OLD.state USING ERRCODE = 'check_violation';
    END IF;
    SELECT count(*) FILTER (WHERE review_state = 'unreviewed'), count(*) INTO unreviewed, total
      FROM requisition_fields WHERE requisition_id = NEW.id;
    IF total = 0 THEN
      RAISE EXCEPTION 'release refused: the requisition has no fields' USING ERRCODE = 'check_violation';
    END IF;
    IF unreviewed > 0 THEN
      RAISE EXCEPTION 'release refused: % field(s) not reviewed', unreviewed USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.identity_confirmed_by IS NULL OR NEW.identity_session_id IS NULL
       OR NEW.identity_revision IS DISTINCT FROM NEW.identity_fields_revision
       OR cardinality(coalesce(NEW.identity_identifiers, '{}')) < 2 THEN
      RAISE EXCEPTION 'release refused: patient identity not confirmed by a person for the current patient fields'
        USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.validation_passed IS NOT TRUE OR NEW.validation_revision IS DISTINCT FROM NEW.field_revision THEN
      RAISE EXCEPTION 'release refused: validation has not passed for the current fields' USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.released_by IS NULL OR NEW.released_at IS NULL
       OR NOT is_live_mfa_session(NEW.released_session_id, NEW.released_by, ARRAY['reviewer', 'lead_reviewer']) THEN
      RAISE EXCEPTION 'release refused: not released by a person in a live MFA session' USING ERRCODE = 'check_violation';
    END IF;
  END IF;
  IF (NEW.released_by IS DISTINCT FROM OLD.released_by OR NEW.released_session_id IS DISTINCT FROM OLD.released_session_id
      OR NEW.released_at IS DISTINCT FROM OLD.released_at)
     AND NOT (NEW.state = 'released' AND OLD.state IS DISTINCT FROM 'released') THEN
    RAISE EXCEPTION 'the release record is written only by a release' USING ERRCODE = 'check_violation';
  END IF;
  -- Identity is confirmed by a person in a live MFA session, at the moment of confirming.
  IF NEW.identity_confirmed_by IS NOT NULL AND (NEW.identity_confirmed_by IS DISTINCT FROM OLD.identity_confirmed_by
       OR NEW.identity_session_id IS DISTINCT FROM OLD.identity_session_id OR NEW.identity_revision IS DISTINCT FROM OLD.identity_revision
       OR NEW.identity_confirmed_at IS DISTINCT FROM OLD.identity_confirmed_at)
     AND NOT is_live_mfa_session(NEW.identity_session_id, NEW.identity_confirmed_by, ARRAY['reviewer', 'lead_reviewer']) THEN
    RAISE EXCEPTION 'identity is confirmed only by a reviewer in a live MFA session' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER requisitions_guard BEFORE UPDATE ON requisitions FOR EACH ROW EXECUTE FUNCTION requisition_guard();

-- No requisition is born released: it has to go through the guarded UPDATE.
CREATE FUNCTION requisition_insert_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.state NOT IN ('reading', 'ready_for_review', 'escalated', 'rejected') THEN
    RAISE EXCEPTION 'a requisition starts as reading or ready_for_review, not %', NEW.state USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.field_revision <> 0 OR NEW.released_by IS NOT NULL OR NEW.identity_confirmed_by IS NOT NULL OR NEW.validation_passed IS NOT NULL THEN
    RAISE EXCEPTION 'a new requisition carries no review' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER requisitions_insert_guard BEFORE INSERT ON requisitions FOR EACH ROW EXECUTE FUNCTION requisition_insert_guard();

-- Template versions are immutable once published or used.
CREATE FUNCTION template_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.form IS DISTINCT FROM OLD.form OR NEW.blank_blob_key IS DISTINCT FROM OLD.blank_blob_key
      OR NEW.blank_sha256 IS DISTINCT FROM OLD.blank_sha256 OR NEW.id IS DISTINCT FROM OLD.id OR NEW.version IS DISTINCT FROM OLD.version)
     AND (OLD.status <> 'draft' OR EXISTS (SELECT 1 FROM requisitions r WHERE r.template_id = OLD.id AND r.template_version = OLD.version)) THEN
    RAISE EXCEPTION 'template %/% is published or used: publish a new version instead', OLD.id, OLD.version
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER templates_guard BEFORE UPDATE ON templates FOR EACH ROW EXECUTE FUNCTION template_guard();
