-- SETUP.sql: functions that log and the triggers that call them.
CREATE OR REPLACE FUNCTION audit.log_transaction(current_txid BIGINT) RETURNS INTEGER AS
$$
DECLARE
  session_info_obj JSONB;
  transaction_log_id INTEGER;
BEGIN
  BEGIN
    session_info_obj := current_setting('audit.session_info')::jsonb;
  EXCEPTION
    WHEN undefined_object THEN session_info_obj := NULL;
    WHEN invalid_text_representation THEN
      session_info_obj := to_jsonb(current_setting('audit.session_info'));
  END;
  INSERT INTO audit.transaction_log (txid, txid_time, process_id, user_name, client_name, application_name, session_info)
  VALUES (current_txid, transaction_timestamp(), pg_backend_pid(), session_user, inet_client_addr(), current_setting('application_name'), session_info_obj)
  ON CONFLICT (txid_time, txid) DO NOTHING
  RETURNING id INTO transaction_log_id;
  IF transaction_log_id IS NULL THEN
    SELECT id INTO transaction_log_id FROM audit.transaction_log WHERE txid = current_txid AND txid_time = transaction_timestamp();
  END IF;
  RETURN transaction_log_id;
END;
$$
LANGUAGE plpgsql STRICT;

CREATE OR REPLACE FUNCTION audit.log_table_event(tablename TEXT, schemaname TEXT, op_type TEXT) RETURNS TEXT AS
$body$
DECLARE
  txid_log_id INTEGER;
  operation_id SMALLINT := CASE op_type WHEN 'INSERT' THEN 3 WHEN 'UPDATE' THEN 4 WHEN 'DELETE' THEN 7 ELSE 0 END;
  e_key TEXT := concat_ws(';', extract(epoch FROM transaction_timestamp()), txid_current(), operation_id, tablename, schemaname);
BEGIN
  txid_log_id := audit.log_transaction(txid_current());
  INSERT INTO audit.table_event_log (transaction_id, stmt_time, op_id, table_operation, table_name, schema_name, event_key)
  VALUES (txid_log_id, statement_timestamp(), operation_id, op_type, tablename, schemaname, e_key)
  ON CONFLICT (event_key) DO NOTHING;
  RETURN e_key;
END;
$body$
LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION audit.log_row() RETURNS trigger AS
$$
DECLARE
  e_key TEXT;
BEGIN
  e_key := audit.log_table_event(TG_TABLE_NAME, TG_TABLE_SCHEMA, TG_OP);
  INSERT INTO audit.row_log (audit_id, event_key, old_data, new_data)
  VALUES (
    coalesce((to_jsonb(NEW) ->> 'id')::bigint, (to_jsonb(OLD) ->> 'id')::bigint, 0),
    e_key,
    CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END,
    CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END);
  RETURN NULL;
END;
$$
LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION audit.create_table_log_trigger(table_name TEXT, schema_name TEXT DEFAULT 'public') RETURNS SETOF VOID AS
$$
BEGIN
  EXECUTE format(
    'CREATE TRIGGER audit_row_trigger AFTER INSERT OR UPDATE OR DELETE ON %I.%I FOR EACH ROW EXECUTE PROCEDURE audit.log_row()',
    schema_name, table_name);
END;
$$
LANGUAGE plpgsql STRICT;

CREATE TABLE audit.settings (name text PRIMARY KEY, value text);
SELECT audit.create_table_log_trigger('settings', 'audit');
INSERT INTO audit.settings VALUES ('log_new_data', 'true'), ('trigger_create_table', 'false');
