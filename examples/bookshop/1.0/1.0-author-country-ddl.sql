ALTER TABLE author ADD COLUMN country text;
