-- SCHEMA.sql: the audit schema and its log tables.
DROP SCHEMA IF EXISTS audit CASCADE;
CREATE SCHEMA audit;

CREATE TABLE audit.transaction_log (
  id SERIAL,
  txid BIGINT NOT NULL,
  txid_time TIMESTAMP WITH TIME ZONE NOT NULL,
  process_id INTEGER,
  user_name TEXT,
  client_name TEXT,
  application_name TEXT,
  session_info JSONB
);

CREATE TABLE audit.table_event_log (
  id SERIAL,
  transaction_id INTEGER NOT NULL,
  stmt_time TIMESTAMP WITH TIME ZONE NOT NULL,
  op_id SMALLINT NOT NULL,
  table_operation TEXT,
  table_name TEXT NOT NULL,
  schema_name TEXT NOT NULL,
  event_key TEXT NOT NULL
);

CREATE TABLE audit.row_log (
  id BIGSERIAL,
  audit_id BIGINT NOT NULL,
  event_key TEXT NOT NULL,
  old_data JSONB,
  new_data JSONB
);

CREATE TABLE audit.audit_table_log (
  id SERIAL,
  log_id INTEGER NOT NULL,
  relid OID,
  table_name TEXT NOT NULL,
  schema_name TEXT NOT NULL,
  txid_range numrange
);

ALTER TABLE audit.transaction_log ADD CONSTRAINT transaction_log_pk PRIMARY KEY (id);
ALTER TABLE audit.table_event_log ADD CONSTRAINT table_event_log_pk PRIMARY KEY (id);
ALTER TABLE audit.row_log ADD CONSTRAINT row_log_pk PRIMARY KEY (id);
ALTER TABLE audit.audit_table_log ADD CONSTRAINT audit_table_log_pk PRIMARY KEY (id);
CREATE UNIQUE INDEX transaction_log_unique_idx ON audit.transaction_log USING BTREE (txid_time, txid);
CREATE INDEX table_event_log_fk_idx ON audit.table_event_log USING BTREE (transaction_id);
CREATE UNIQUE INDEX table_event_log_event_idx ON audit.table_event_log USING BTREE (event_key);
CREATE INDEX row_log_new_data_idx ON audit.row_log USING GIN (new_data);
ALTER TABLE audit.table_event_log
  ADD CONSTRAINT table_event_log_txid_fk FOREIGN KEY (transaction_id)
    REFERENCES audit.transaction_log (id) MATCH FULL ON DELETE CASCADE ON UPDATE CASCADE;

COMMENT ON TABLE audit.transaction_log IS 'Stores metadata about each transaction';
COMMENT ON COLUMN audit.row_log.old_data IS 'The state of a row before the event; NULL for inserts; it''s JSONB';
