CREATE TYPE "public"."case_action" AS ENUM('REPORT', 'ACCEPT', 'REJECT', 'DISPATCH', 'ACKNOWLEDGE', 'ADD_RECORD', 'RESOLVE', 'FOLLOW_UP', 'CLOSE', 'REOPEN');--> statement-breakpoint
CREATE TYPE "public"."case_department" AS ENUM('PUBLIC_SECURITY', 'CIVIL_AFFAIRS', 'PARTY', 'HOUSING', 'MEDIATION');--> statement-breakpoint
CREATE TYPE "public"."case_record_kind" AS ENUM('MEDIATION_SESSION', 'VISIT', 'EVIDENCE_NOTE');--> statement-breakpoint
ALTER TYPE "public"."case_source" ADD VALUE 'DEPARTMENT_REFERRAL';--> statement-breakpoint
CREATE TABLE "case_events" (
	"sequence" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "case_events_sequence_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"case_id" varchar(21) NOT NULL,
	"case_version" integer NOT NULL,
	"action" "case_action" NOT NULL,
	"from_status" "case_status",
	"to_status" "case_status" NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor_user_id" text NOT NULL,
	"actor_role" text NOT NULL,
	"actor_department" text,
	"grid_code" varchar(15) NOT NULL,
	"department" "case_department",
	"details" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "case_idempotency_keys" (
	"caller_user_id" text NOT NULL,
	"key" varchar(100) NOT NULL,
	"action" "case_action" NOT NULL,
	"request_hash" varchar(64) NOT NULL,
	"case_id" varchar(21),
	"event_sequence" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "case_idempotency_keys_caller_user_id_key_pk" PRIMARY KEY("caller_user_id","key")
);
--> statement-breakpoint
CREATE TABLE "case_sequences" (
	"grid_code" varchar(15) PRIMARY KEY NOT NULL,
	"last_sequence" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "mediation_records" ALTER COLUMN "mediator_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "group_rental_id" varchar(20);--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "assigned_department" "case_department";--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "dispatched_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "acknowledged_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "escalated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "rejection_reason" text;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "resolution_note" text;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "unsatisfied_follow_ups" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "mediation_records" ADD COLUMN "kind" "case_record_kind" DEFAULT 'MEDIATION_SESSION' NOT NULL;--> statement-breakpoint
ALTER TABLE "mediation_records" ADD COLUMN "recorded_by" text;--> statement-breakpoint
ALTER TABLE "case_events" ADD CONSTRAINT "case_events_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "case_events_case_version_idx" ON "case_events" USING btree ("case_id","case_version");--> statement-breakpoint
CREATE INDEX "case_events_grid_idx" ON "case_events" USING btree ("grid_code","sequence");--> statement-breakpoint
CREATE INDEX "case_events_department_idx" ON "case_events" USING btree ("department","sequence");--> statement-breakpoint
CREATE INDEX "cases_group_rental_idx" ON "cases" USING btree ("group_rental_id","id");--> statement-breakpoint
CREATE INDEX "cases_department_idx" ON "cases" USING btree ("assigned_department","id");--> statement-breakpoint
CREATE INDEX "cases_due_idx" ON "cases" USING btree ("status","due_on");--> statement-breakpoint
ALTER TABLE "mediation_records" ADD CONSTRAINT "mediation_records_session_mediator" CHECK ("mediation_records"."kind" <> 'MEDIATION_SESSION' or "mediation_records"."mediator_id" is not null);--> statement-breakpoint
-- Cases loaded before the workflow kept its history get one event that stands for all of it, so that every case's
-- version is the number of its events and its status is where its last event left it.
INSERT INTO "case_events" ("case_id", "case_version", "action", "from_status", "to_status", "at", "actor_user_id", "actor_role", "actor_department", "grid_code", "department", "details")
SELECT "id", 1, 'REPORT', NULL, "status", "received_at", 'migration', 'migration', NULL, "grid_code", NULL,
       '{"note":"recorded before the hub kept case histories (迁移前已有案件)"}'::jsonb
  FROM "cases" ORDER BY "received_at", "id";--> statement-breakpoint
UPDATE "cases" SET "version" = 1;
