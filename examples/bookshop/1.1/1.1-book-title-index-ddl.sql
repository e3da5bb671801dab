-- Built without blocking writes: North runs this file outside a transaction.
CREATE INDEX CONCURRENTLY IF NOT EXISTS book_title_idx ON book (title);
