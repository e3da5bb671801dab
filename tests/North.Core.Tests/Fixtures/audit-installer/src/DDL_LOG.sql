-- DDL_LOG.sql: event triggers that log schema changes.
CREATE OR REPLACE FUNCTION audit.table_create_post_trigger() RETURNS event_trigger AS
$$
DECLARE
  obj record;
BEGIN
  FOR obj IN SELECT * FROM pg_event_trigger_ddl_commands() WHERE object_type = 'table' LOOP
    INSERT INTO audit.audit_table_log (log_id, relid, table_name, schema_name, txid_range)
    VALUES (0, obj.objid, split_part(obj.object_identity, '.', 2), obj.schema_name, numrange(txid_current(), NULL, '(]'));
  END LOOP;
END;
$$
LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION audit.table_drop_post_trigger() RETURNS event_trigger AS
$$
DECLARE
  obj record;
BEGIN
  FOR obj IN SELECT * FROM pg_event_trigger_dropped_objects() WHERE object_type = 'table' LOOP
    UPDATE audit.audit_table_log SET txid_range = numrange(lower(txid_range), txid_current(), '(]')
     WHERE relid = obj.objid AND upper(txid_range) IS NULL;
  END LOOP;
END;
$$
LANGUAGE plpgsql;

CREATE EVENT TRIGGER audit_table_create_post_trigger ON ddl_command_end
  WHEN TAG IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO')
  EXECUTE PROCEDURE audit.table_create_post_trigger();

CREATE EVENT TRIGGER audit_table_drop_post_trigger ON sql_drop
  WHEN TAG IN ('DROP TABLE')
  EXECUTE PROCEDURE audit.table_drop_post_trigger();
