CREATE TYPE "public"."case_level" AS ENUM('COMMUNITY', 'STREET', 'DISTRICT');--> statement-breakpoint
CREATE TYPE "public"."case_part_role" AS ENUM('LEAD', 'CO_HANDLER');--> statement-breakpoint
CREATE TYPE "public"."case_part_status" AS ENUM('DISPATCHED', 'ACKNOWLEDGED', 'FINISHED', 'HANDED_BACK', 'CLOSED_OUT', 'SUPERSEDED');--> statement-breakpoint
CREATE TYPE "public"."hand_back_reason" AS ENUM('WRONG_UNIT', 'OUTSIDE_POWERS', 'DUPLICATE', 'INSUFFICIENT_INFORMATION', 'OTHER');--> statement-breakpoint
ALTER TYPE "public"."case_action" ADD VALUE 'FINISH_PART';--> statement-breakpoint
ALTER TYPE "public"."case_action" ADD VALUE 'CLOSE_OUT_PART';--> statement-breakpoint
ALTER TYPE "public"."case_action" ADD VALUE 'HAND_BACK';--> statement-breakpoint
ALTER TYPE "public"."case_action" ADD VALUE 'REPORT_UP';--> statement-breakpoint
ALTER TYPE "public"."case_action" ADD VALUE 'ASSIGN_DOWN';--> statement-breakpoint
ALTER TYPE "public"."case_action" ADD VALUE 'EXTEND_TIME_LIMIT';--> statement-breakpoint
CREATE TABLE "case_parts" (
	"case_id" varchar(21) NOT NULL,
	"round" integer NOT NULL,
	"unit_code" varchar(40) NOT NULL,
	"role" "case_part_role" NOT NULL,
	"status" "case_part_status" NOT NULL,
	"due_on" date NOT NULL,
	"dispatched_at" timestamp with time zone NOT NULL,
	"acknowledged_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"note" text,
	"end_reason" "hand_back_reason",
	"end_note" text,
	CONSTRAINT "case_parts_case_id_round_unit_code_pk" PRIMARY KEY("case_id","round","unit_code"),
	CONSTRAINT "case_parts_ended" CHECK (("case_parts"."status" in ('DISPATCHED', 'ACKNOWLEDGED')) = ("case_parts"."ended_at" is null))
);
--> statement-breakpoint
CREATE TABLE "case_time_limit_extensions" (
	"case_id" varchar(21) NOT NULL,
	"position" smallint NOT NULL,
	"previous_due_on" date NOT NULL,
	"due_on" date NOT NULL,
	"consenting_parties" jsonb NOT NULL,
	"reason" text NOT NULL,
	"extended_at" timestamp with time zone NOT NULL,
	"extended_by" text NOT NULL,
	CONSTRAINT "case_time_limit_extensions_case_id_position_pk" PRIMARY KEY("case_id","position")
);
--> statement-breakpoint
ALTER TABLE "case_events" ADD COLUMN "unit_code" varchar(40);--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "level" "case_level" DEFAULT 'COMMUNITY' NOT NULL;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "lead_unit" varchar(40);--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "dispatch_round" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "accept_by" date;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "reported_up_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "case_parts" ADD CONSTRAINT "case_parts_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_time_limit_extensions" ADD CONSTRAINT "case_time_limit_extensions_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "case_parts_unit_idx" ON "case_parts" USING btree ("unit_code","status","case_id");--> statement-breakpoint
CREATE INDEX "case_events_unit_idx" ON "case_events" USING btree ("unit_code","sequence");--> statement-breakpoint
CREATE INDEX "cases_level_idx" ON "cases" USING btree ("level","id");--> statement-breakpoint
CREATE INDEX "cases_lead_unit_idx" ON "cases" USING btree ("lead_unit","id");--> statement-breakpoint
-- ==== Data carry-over (issue 18, handling units, levels, time limits): on renumbering, keep this block after the DDL above. ====
-- Every dispatched case gets a lead part of a first dispatch for its department's own unit (unit codes of the five
-- departments are the department enum's names); the part stands where the case does.
UPDATE "cases" SET "lead_unit" = "assigned_department"::text, "dispatch_round" = 1 WHERE "assigned_department" IS NOT NULL;--> statement-breakpoint
INSERT INTO "case_parts" ("case_id", "round", "unit_code", "role", "status", "due_on", "dispatched_at", "acknowledged_at", "ended_at")
SELECT "id", 1, "assigned_department"::text, 'LEAD',
       (CASE "status" WHEN 'DISPATCHED' THEN 'DISPATCHED' WHEN 'IN_PROGRESS' THEN 'ACKNOWLEDGED'
                      WHEN 'RESOLVED' THEN 'FINISHED' WHEN 'CLOSED' THEN 'FINISHED' WHEN 'ESCALATED' THEN 'FINISHED'
                      ELSE 'SUPERSEDED' END)::"case_part_status",
       "due_on", coalesce("dispatched_at", "accepted_at", "received_at"), "acknowledged_at",
       CASE WHEN "status" IN ('DISPATCHED', 'IN_PROGRESS') THEN NULL ELSE coalesce("resolved_at", "updated_at") END
  FROM "cases" WHERE "assigned_department" IS NOT NULL;--> statement-breakpoint
-- The unit's feed: dispatches, report-ins and resolutions so far concerned the department's own unit.
UPDATE "case_events" SET "unit_code" = "department"::text
 WHERE "department" IS NOT NULL AND "action" IN ('DISPATCH', 'ACKNOWLEDGE', 'RESOLVE');--> statement-breakpoint
-- Escalated cases get the supervision time limit (15 days from the day in China they were escalated), so none
-- stalls unseen; every existing case starts at the community level (the column's default).
UPDATE "cases" SET "due_on" = (("escalated_at" AT TIME ZONE 'UTC') + interval '8 hours')::date + 15
 WHERE "status" = 'ESCALATED' AND "escalated_at" IS NOT NULL;
-- ==== End of data carry-over. ====
