CREATE TYPE "public"."agreement_form" AS ENUM('WRITTEN', 'ORAL');--> statement-breakpoint
CREATE TYPE "public"."agreement_performance" AS ENUM('PENDING', 'PERFORMED', 'PARTLY_PERFORMED', 'NOT_PERFORMED');--> statement-breakpoint
CREATE TYPE "public"."dispute_channel" AS ENUM('ARBITRATION', 'ADMINISTRATIVE', 'JUDICIAL');--> statement-breakpoint
CREATE TYPE "public"."judicial_ruling" AS ENUM('CONFIRMED', 'REJECTED');--> statement-breakpoint
ALTER TYPE "public"."case_action" ADD VALUE 'TERMINATE';--> statement-breakpoint
ALTER TYPE "public"."case_action" ADD VALUE 'WITHDRAW';--> statement-breakpoint
ALTER TYPE "public"."case_action" ADD VALUE 'RECORD_JUDICIAL_CONFIRMATION';--> statement-breakpoint
ALTER TYPE "public"."case_action" ADD VALUE 'RECORD_PERFORMANCE';--> statement-breakpoint
-- case_outcome is created anew rather than extended (ALTER TYPE ... ADD VALUE), because the carry-over below writes
-- one of its new values and every pending migration runs in one transaction, where an added value cannot be used yet.
ALTER TYPE "public"."case_outcome" RENAME TO "case_outcome_before_0003";--> statement-breakpoint
CREATE TYPE "public"."case_outcome" AS ENUM('AGREEMENT_REACHED', 'MEDIATION_FAILED', 'HANDLED_BY_DEPARTMENT', 'ADMINISTRATIVE_MEDIATION', 'PARTIES_WITHDREW', 'PARTIES_REFUSED');--> statement-breakpoint
ALTER TABLE "cases" ALTER COLUMN "outcome" TYPE "public"."case_outcome" USING "outcome"::text::"public"."case_outcome";--> statement-breakpoint
DROP TYPE "public"."case_outcome_before_0003";--> statement-breakpoint
ALTER TYPE "public"."case_status" ADD VALUE 'TERMINATED';--> statement-breakpoint
ALTER TYPE "public"."case_status" ADD VALUE 'WITHDRAWN';--> statement-breakpoint
ALTER TABLE "agreements" ADD COLUMN "form" "agreement_form" DEFAULT 'WRITTEN' NOT NULL;--> statement-breakpoint
ALTER TABLE "agreements" ADD COLUMN "facts" text;--> statement-breakpoint
ALTER TABLE "agreements" ADD COLUMN "liabilities" text;--> statement-breakpoint
ALTER TABLE "agreements" ADD COLUMN "performance_manner" text;--> statement-breakpoint
ALTER TABLE "agreements" ADD COLUMN "performance" "agreement_performance" DEFAULT 'PENDING' NOT NULL;--> statement-breakpoint
ALTER TABLE "agreements" ADD COLUMN "performance_checked_on" date;--> statement-breakpoint
ALTER TABLE "agreements" ADD COLUMN "performance_note" text;--> statement-breakpoint
ALTER TABLE "agreements" ADD COLUMN "confirmation_applied_on" date;--> statement-breakpoint
ALTER TABLE "agreements" ADD COLUMN "confirmation_court" text;--> statement-breakpoint
ALTER TABLE "agreements" ADD COLUMN "confirmation_ruled_on" date;--> statement-breakpoint
ALTER TABLE "agreements" ADD COLUMN "confirmation_ruling" "judicial_ruling";--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "informed_channels" "dispute_channel"[];--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "withdrawn_by" "case_party_role";--> statement-breakpoint
ALTER TABLE "agreements" ADD CONSTRAINT "agreements_ruling_after_application" CHECK ("agreements"."confirmation_ruling" is null or "agreements"."confirmation_applied_on" is not null);--> statement-breakpoint
ALTER TABLE "agreements" ADD CONSTRAINT "agreements_oral_not_confirmed" CHECK ("agreements"."form" = 'WRITTEN' or "agreements"."confirmation_applied_on" is null);--> statement-breakpoint
-- ---- data carry-over of the lawful endings (centre-b): keep this block with this migration when renumbering ----
-- A department's "agreement" was never a people's mediation agreement (人民调解法 arts. 28-29, 33): the case becomes
-- administrative mediation (行政调解), the terms kept on its resolution note, and the agreement row goes, so no
-- judicial-confirmation deadline is shown for it. Cases never dispatched (imported from a committee's files) keep theirs.
UPDATE "cases" c SET "outcome" = 'ADMINISTRATIVE_MEDIATION',
  "resolution_note" = concat_ws('；', nullif(c."resolution_note", ''), '行政调解达成一致：' || a."terms")
  FROM "agreements" a
  WHERE a."case_id" = c."id" AND c."outcome" = 'AGREEMENT_REACHED' AND c."assigned_department" <> 'MEDIATION';--> statement-breakpoint
DELETE FROM "agreements" a USING "cases" c WHERE a."case_id" = c."id" AND c."outcome" = 'ADMINISTRATIVE_MEDIATION';--> statement-breakpoint
-- Performance: an agreement recorded as performed stays performed; any other was never checked (PENDING).
UPDATE "agreements" SET "performance" = 'PERFORMED' WHERE "performed";--> statement-breakpoint
-- ---- end of the carry-over ----
ALTER TABLE "agreements" DROP COLUMN "performed";
