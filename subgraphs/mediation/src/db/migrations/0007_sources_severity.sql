-- ---- data carry-over of sources and severity (centre-b): none needed. Existing cases are assessed GENERAL, without
-- 民转刑 risk, not group disputes, without a 包案 leader (the column defaults); none came from the 12345 hotline. ----
CREATE TYPE "public"."case_severity" AS ENUM('GENERAL', 'SIGNIFICANT', 'MAJOR');--> statement-breakpoint
ALTER TYPE "public"."case_action" ADD VALUE 'ASSESS';--> statement-breakpoint
ALTER TYPE "public"."case_source" ADD VALUE 'HOTLINE_12345';--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "hotline_ticket" varchar(32);--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "severity" "case_severity" DEFAULT 'GENERAL' NOT NULL;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "criminal_risk" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "head_count" smallint;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "leader_name" text;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "leader_post" text;--> statement-breakpoint
CREATE UNIQUE INDEX "cases_hotline_ticket_idx" ON "cases" USING btree ("hotline_ticket");--> statement-breakpoint
CREATE INDEX "cases_severity_idx" ON "cases" USING btree ("severity","id");--> statement-breakpoint
CREATE INDEX "cases_source_idx" ON "cases" USING btree ("source","id");--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_group_head_count" CHECK ("cases"."head_count" is null or "cases"."head_count" >= 5);--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_leader_whole" CHECK (("cases"."leader_name" is null) = ("cases"."leader_post" is null));