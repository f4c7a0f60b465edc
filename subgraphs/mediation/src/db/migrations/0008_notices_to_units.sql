ALTER TABLE "supervision_notices" ADD COLUMN "unit_code" varchar(40);--> statement-breakpoint
CREATE INDEX "supervision_notices_unit_idx" ON "supervision_notices" USING btree ("unit_code","id");--> statement-breakpoint
-- ==== Data carry-over (issue 18, notices addressed to units): keep this block between the ADD and the DROP. ====
-- A notice is addressed to the unit that led the case's dispatch when it was issued: the lead part open at that
-- moment. Notices of stations outside the hub had no department and read as the centre's; they now name the station.
UPDATE "supervision_notices" n SET "unit_code" = p."unit_code"
  FROM "case_parts" p
 WHERE p."case_id" = n."case_id" AND p."role" = 'LEAD'
   AND p."dispatched_at" <= n."issued_at" AND (p."ended_at" IS NULL OR p."ended_at" > n."issued_at");--> statement-breakpoint
-- Without such a part (none recorded), the department it was addressed to: each hub department's own unit bears its code.
UPDATE "supervision_notices" SET "unit_code" = "department"::text WHERE "unit_code" IS NULL AND "department" IS NOT NULL;--> statement-breakpoint
-- Parts left open by an ending written before every way out of a dispatch ended its parts (terminate, withdraw):
-- ended with their dispatch, when the case left it (its closing, else its last change).
UPDATE "case_parts" p SET "status" = 'SUPERSEDED', "ended_at" = coalesce(c."closed_at", c."updated_at")
  FROM "cases" c
 WHERE c."id" = p."case_id" AND p."status" IN ('DISPATCHED', 'ACKNOWLEDGED')
   AND (p."round" <> c."dispatch_round" OR c."status" NOT IN ('DISPATCHED', 'IN_PROGRESS'));--> statement-breakpoint
-- ==== End of data carry-over. ====
DROP INDEX "supervision_notices_department_idx";--> statement-breakpoint
ALTER TABLE "supervision_notices" DROP COLUMN "department";
