INSERT INTO sql_version (version_num) VALUES ('1.1');
