-- The audit trail is append-only (GB/T 22239: audit records protected from change). Statement-level triggers
-- refuse every UPDATE, DELETE and TRUNCATE, even one that would touch no row. Only a superuser or the table's owner
-- can disable them, and doing so breaks nothing silently: `npm run audit:verify` recomputes every hash.
CREATE FUNCTION "audit_records_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_records is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "audit_records_no_update_delete" BEFORE UPDATE OR DELETE ON "audit_records"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_records_refuse_change"();
--> statement-breakpoint
CREATE TRIGGER "audit_records_no_truncate" BEFORE TRUNCATE ON "audit_records"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_records_refuse_change"();
