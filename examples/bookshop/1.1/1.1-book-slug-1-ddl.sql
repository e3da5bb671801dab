BEGIN;
ALTER TABLE book ADD COLUMN slug text;
COMMENT ON COLUMN book.slug IS 'URL name, filled by 1.2''s backfill';
COMMIT;
