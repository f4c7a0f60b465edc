CREATE TYPE "public"."evaluation_direction" AS ENUM('CENTRE_OF_UNIT', 'UNIT_OF_CENTRE');--> statement-breakpoint
CREATE TYPE "public"."follow_up_channel" AS ENUM('PHONE', 'HOME_VISIT', 'SMS', 'WECHAT', 'AT_CENTRE');--> statement-breakpoint
CREATE TYPE "public"."satisfaction_level" AS ENUM('SATISFIED', 'BASICALLY_SATISFIED', 'DISSATISFIED');--> statement-breakpoint
CREATE TABLE "unit_evaluations" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "unit_evaluations_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"period" varchar(7) NOT NULL,
	"direction" "evaluation_direction" NOT NULL,
	"department" "case_department" NOT NULL,
	"level" "satisfaction_level" NOT NULL,
	"score" smallint NOT NULL,
	"comment" text NOT NULL,
	"evaluated_by" text NOT NULL,
	"evaluated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "unit_evaluations_score" CHECK ("unit_evaluations"."score" between 0 and 100)
);
--> statement-breakpoint
ALTER TABLE "follow_ups" ADD COLUMN "level" "satisfaction_level";--> statement-breakpoint
ALTER TABLE "follow_ups" ADD COLUMN "channel" "follow_up_channel";--> statement-breakpoint
ALTER TABLE "follow_ups" ADD COLUMN "asked_party" smallint;--> statement-breakpoint
ALTER TABLE "follow_ups" ADD COLUMN "visited_by" text;--> statement-breakpoint
CREATE UNIQUE INDEX "unit_evaluations_period_direction_department_idx" ON "unit_evaluations" USING btree ("period","direction","department");--> statement-breakpoint
-- ---- data carry-over of satisfaction (centre-b): keep this block with this migration when renumbering ----
-- A visit recorded as satisfied was 满意, one recorded as not was 不满意; channel, party asked and visitor were not
-- kept then and stay null.
UPDATE "follow_ups" SET "level" = CASE WHEN "satisfied" THEN 'SATISFIED'::"satisfaction_level" ELSE 'DISSATISFIED'::"satisfaction_level" END;--> statement-breakpoint
-- ---- end of the carry-over ----
ALTER TABLE "follow_ups" ALTER COLUMN "level" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "follow_ups" DROP COLUMN "satisfied";
