-- INSTALL_AUDIT.sql
--
-- An extension installer written the way pgMemento's INSTALL_PGMEMENTO.sql is (the same psql
-- meta-commands, in the same order), for North's tests. Run it from this folder:
--   psql -f INSTALL_AUDIT.sql
-------------------------------------------------------------------------------

\pset footer off
SET client_min_messages TO WARNING;
\set ON_ERROR_STOP ON

\echo
\echo 'Creating audit schema, tables and functions ...'
\i src/SCHEMA.sql
\i src/SETUP.sql
\i src/LOG_UTIL.sql
\i src/DDL_LOG.sql

\echo
\echo 'Introducing audit to search path ...'
SELECT current_setting('search_path') AS db_path \gset
ALTER DATABASE :"DBNAME" SET search_path TO :db_path, audit;

\echo
\echo 'audit setup completed!'
