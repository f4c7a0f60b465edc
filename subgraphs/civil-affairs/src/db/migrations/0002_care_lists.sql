CREATE TYPE "public"."care_kind" AS ENUM('LEFT_BEHIND_ELDERLY', 'LEFT_BEHIND_WOMAN', 'LEFT_BEHIND_CHILD', 'LIVING_ALONE_ELDERLY', 'EMPTY_NEST_ELDERLY', 'ORPHAN', 'UNSUPPORTED_CHILD');--> statement-breakpoint
CREATE TABLE "care_records" (
	"id" varchar(21) PRIMARY KEY NOT NULL,
	"resident_id" varchar(32) NOT NULL,
	"grid_code" varchar(15) NOT NULL,
	"kind" "care_kind" NOT NULL,
	"listed_on" date NOT NULL,
	"ended_on" date
);
--> statement-breakpoint
CREATE TABLE "disability_records" (
	"id" varchar(21) PRIMARY KEY NOT NULL,
	"resident_id" varchar(32) NOT NULL,
	"grid_code" varchar(15) NOT NULL,
	"certificate_number" varchar(20) NOT NULL,
	"category" smallint NOT NULL,
	"grade" smallint NOT NULL,
	"issued_on" date NOT NULL,
	CONSTRAINT "disability_category_check" CHECK ("disability_records"."category" between 1 and 7),
	CONSTRAINT "disability_grade_check" CHECK ("disability_records"."grade" between 1 and 4)
);
--> statement-breakpoint
ALTER TABLE "care_records" ADD CONSTRAINT "care_records_grid_code_grids_code_fk" FOREIGN KEY ("grid_code") REFERENCES "public"."grids"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "disability_records" ADD CONSTRAINT "disability_records_grid_code_grids_code_fk" FOREIGN KEY ("grid_code") REFERENCES "public"."grids"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "care_resident_idx" ON "care_records" USING btree ("resident_id");--> statement-breakpoint
CREATE INDEX "care_grid_id_idx" ON "care_records" USING btree ("grid_code","id");--> statement-breakpoint
CREATE INDEX "care_grid_kind_idx" ON "care_records" USING btree ("grid_code","kind","id");--> statement-breakpoint
CREATE UNIQUE INDEX "disability_certificate_idx" ON "disability_records" USING btree ("certificate_number");--> statement-breakpoint
CREATE INDEX "disability_resident_idx" ON "disability_records" USING btree ("resident_id");--> statement-breakpoint
CREATE INDEX "disability_grid_id_idx" ON "disability_records" USING btree ("grid_code","id");--> statement-breakpoint
-- An existing database already knows the certificates it pays allowances on: they open the register, numbered per
-- grid, issued no later than the first allowance paid on them; the grid is that of the latest entitlement.
INSERT INTO "disability_records" ("id", "resident_id", "grid_code", "certificate_number", "category", "grade", "issued_on")
SELECT 'CJ' || w.grid_code || lpad((row_number() OVER (PARTITION BY w.grid_code ORDER BY w.certificate))::text, 4, '0'),
  w.resident_id, w.grid_code, w.certificate, substr(w.certificate, 19, 1)::smallint, substr(w.certificate, 20, 1)::smallint, w.issued_on
FROM (
  SELECT DISTINCT ON ("disability_certificate_number") "disability_certificate_number" AS certificate, "resident_id", "grid_code",
    min("starts_on") OVER (PARTITION BY "disability_certificate_number") AS issued_on
  FROM "welfare_entitlements"
  WHERE "disability_certificate_number" ~ '^[0-9]{17}[0-9X][1-7][1-4]$'
  ORDER BY "disability_certificate_number", "starts_on" DESC
) w;
