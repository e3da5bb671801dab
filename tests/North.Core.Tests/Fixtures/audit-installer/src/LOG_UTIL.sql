-- LOG_UTIL.sql: helpers over the logs (SQL functions, one with BEGIN ATOMIC-free SQL body).
CREATE OR REPLACE FUNCTION audit.get_txid_bounds_to_table(table_log_id INTEGER, OUT txid_min INTEGER, OUT txid_max INTEGER) RETURNS RECORD AS
$$
SELECT min(transaction_id), max(transaction_id)
  FROM audit.table_event_log
 WHERE id = $1;
$$
LANGUAGE sql STABLE STRICT;

CREATE OR REPLACE FUNCTION audit.delete_txid_log(t_id INTEGER) RETURNS INTEGER AS
'DELETE FROM audit.transaction_log WHERE id = $1 RETURNING id'
LANGUAGE sql STRICT;

CREATE OR REPLACE VIEW audit.audit_tables AS
  SELECT t.schema_name, t.table_name, count(*) AS events
    FROM audit.table_event_log t
   GROUP BY t.schema_name, t.table_name;
