-- ---- data carry-over of issued supervision (centre-b): none. Existing cases get the notices they have earned (the
-- card Case.card shows, or a warning) from the first supervision check after the service starts. ----
CREATE TYPE "public"."supervision_issuer" AS ENUM('SYSTEM', 'SUPERVISION_OFFICE');--> statement-breakpoint
CREATE TYPE "public"."supervision_notice_kind" AS ENUM('WARNING', 'YELLOW', 'RED');--> statement-breakpoint
ALTER TYPE "public"."case_action" ADD VALUE 'SUPERVISE';--> statement-breakpoint
ALTER TYPE "public"."case_action" ADD VALUE 'REPLY_SUPERVISION';--> statement-breakpoint
ALTER TYPE "public"."case_action" ADD VALUE 'NOTE_ACCOUNTABILITY';--> statement-breakpoint
CREATE TABLE "supervision_accountability" (
	"notice_id" integer NOT NULL,
	"position" smallint NOT NULL,
	"note" text NOT NULL,
	"noted_by" text NOT NULL,
	"noted_at" timestamp with time zone NOT NULL,
	CONSTRAINT "supervision_accountability_notice_id_position_pk" PRIMARY KEY("notice_id","position")
);
--> statement-breakpoint
CREATE TABLE "supervision_notices" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "supervision_notices_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"case_id" varchar(21) NOT NULL,
	"kind" "supervision_notice_kind" NOT NULL,
	"issuer" "supervision_issuer" NOT NULL,
	"issued_by" text,
	"department" "case_department",
	"due_on" date NOT NULL,
	"reason" text NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"reply_text" text,
	"replied_by" text,
	"replied_at" timestamp with time zone,
	CONSTRAINT "supervision_notices_reply_whole" CHECK (("supervision_notices"."reply_text" is null) = ("supervision_notices"."replied_at" is null) and ("supervision_notices"."reply_text" is null) = ("supervision_notices"."replied_by" is null))
);
--> statement-breakpoint
ALTER TABLE "supervision_accountability" ADD CONSTRAINT "supervision_accountability_notice_id_supervision_notices_id_fk" FOREIGN KEY ("notice_id") REFERENCES "public"."supervision_notices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "supervision_notices" ADD CONSTRAINT "supervision_notices_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "supervision_notices_case_kind_due_idx" ON "supervision_notices" USING btree ("case_id","kind","due_on");--> statement-breakpoint
CREATE INDEX "supervision_notices_department_idx" ON "supervision_notices" USING btree ("department","id");