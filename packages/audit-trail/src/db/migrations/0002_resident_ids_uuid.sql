-- Resident ids as uuid: the hub's 32-hex ids are 128-bit values, 16 bytes as uuid against 33 as text, and compared
-- as bytes. A column page's record carries 5,000 of them, and keeping their GIN entries up cost PostgreSQL about as
-- much as the rest of a dataset export; as uuid about half. The index is built again with a 64 MB pending list: a
-- record's entries are appended to it, and autovacuum (set off by inserted records below) merges them into the
-- index in key order, rather than the audit writer descending the tree for each id while it holds the chain's lock.
-- The USING cast and the index build happen in this migration's transaction: a failure changes nothing.
DROP INDEX "audit_records_resident_ids_idx";--> statement-breakpoint
ALTER TABLE "audit_records" ALTER COLUMN "resident_ids" SET DATA TYPE uuid[] USING "resident_ids"::uuid[];--> statement-breakpoint
CREATE INDEX "audit_records_resident_ids_idx" ON "audit_records" USING gin ("resident_ids") WITH (fastupdate=true,gin_pending_list_limit=65536);--> statement-breakpoint
ALTER TABLE "audit_records" SET (autovacuum_vacuum_insert_threshold = 200, autovacuum_vacuum_insert_scale_factor = 0);
