-- The guard and audit functions run with the caller's search_path. PostgreSQL looks in pg_temp
-- for tables first unless told otherwise, so a role with TEMP on the database (PostgreSQL grants
-- it to PUBLIC by default; our own set-up revokes it, a DBA's may not) could shadow
-- requisition_fields, sessions or users with a temporary table of its own and walk an unreviewed
-- requisition through the release guard. Each function now names its own path, pg_temp last.
ALTER FUNCTION audit_part(text) SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION audit_canonical(audit_events) SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION audit_chain() SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION audit_forbid() SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION is_live_mfa_session(uuid, uuid, text[]) SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION requisition_field_changed() SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION requisition_guard() SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION requisition_insert_guard() SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION template_guard() SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION delivery_guard() SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION delivery_insert_guard() SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION delivery_no_delete() SET search_path = pg_catalog, public, pg_temp;
