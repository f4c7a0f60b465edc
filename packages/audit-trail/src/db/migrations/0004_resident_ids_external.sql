-- A column page's record holds 5,000 resident ids, 80 KB of uuids: random bytes, which PostgreSQL tried to compress
-- (pglz over the whole value, given up on) before storing them out of line, on every such insert. EXTERNAL stores a
-- long value out of line uncompressed at once. Only how new values are stored changes: existing records are read as
-- they were, and the ids, their order and the hash over them are the same.
ALTER TABLE "audit_records" ALTER COLUMN "resident_ids" SET STORAGE EXTERNAL;
