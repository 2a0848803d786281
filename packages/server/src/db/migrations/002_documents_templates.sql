-- Documents as received (sealed blobs), their normalised pages, and the form templates.

CREATE TABLE app_settings (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT, INSERT, UPDATE ON app_settings TO nexession_app;

CREATE TABLE documents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  received_at timestamptz NOT NULL DEFAULT now(),
  source text NOT NULL CHECK (source IN ('upload', 'inbox')),
  -- The original file name can carry PHI ("smith_john.pdf"): sealed.
  source_name bytea,
  submitted_by uuid REFERENCES users (id),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
  format text NOT NULL CHECK (format IN ('pdf', 'tiff', 'png', 'jpeg', 'unknown')),
  page_count integer,
  status text NOT NULL CHECK (status IN ('accepted', 'quarantined', 'read', 'read_failed')),
  -- Words without PHI, e.g. "PDF contains JavaScript".
  quarantine_reason text,
  -- Screening findings without PHI (page count, sizes, active-content findings).
  screening jsonb NOT NULL DEFAULT '{}',
  data_key_id uuid NOT NULL REFERENCES data_keys (id),
  blob_key text NOT NULL,
  duplicate_of uuid REFERENCES documents (id),
  -- Identifies one file of the watched folder (name, size, time, hash): a file stored but not
  -- yet removed when the process died is recognised, not stored twice.
  intake_key text UNIQUE,
  read_error text,
  CHECK ((status = 'quarantined') = (quarantine_reason IS NOT NULL))
);
CREATE INDEX documents_sha256 ON documents (sha256);
CREATE INDEX documents_status ON documents (status);
GRANT SELECT, INSERT, UPDATE ON documents TO nexession_app;

CREATE TABLE document_pages (
  document_id uuid NOT NULL REFERENCES documents (id),
  page_index integer NOT NULL CHECK (page_index >= 0),
  width integer NOT NULL,
  height integer NOT NULL,
  dpi real NOT NULL,
  -- Sealed PNG of the normalised page: every region refers to its pixels.
  blob_key text NOT NULL,
  source jsonb NOT NULL,
  orientation jsonb NOT NULL,
  classification jsonb NOT NULL,
  registration jsonb,
  gates jsonb NOT NULL DEFAULT '[]',
  flags jsonb NOT NULL DEFAULT '[]',
  PRIMARY KEY (document_id, page_index)
);
GRANT SELECT, INSERT ON document_pages TO nexession_app;

-- A template version: a LabForm (reader template + meanings) and its blank form.
CREATE TABLE templates (
  id text NOT NULL CHECK (id ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
  version integer NOT NULL CHECK (version > 0),
  name text NOT NULL,
  form jsonb NOT NULL,
  source text NOT NULL CHECK (source IN ('builtin', 'upload')),
  status text NOT NULL CHECK (status IN ('draft', 'published', 'retired')),
  blank_blob_key text,
  blank_data_key_id uuid REFERENCES data_keys (id),
  blank_sha256 text,
  blank_format text,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid REFERENCES users (id),
  published_at timestamptz,
  published_by uuid REFERENCES users (id),
  PRIMARY KEY (id, version)
);
GRANT SELECT, INSERT, UPDATE ON templates TO nexession_app;
