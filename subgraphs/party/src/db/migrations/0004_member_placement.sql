CREATE TYPE "public"."member_placement_review" AS ENUM('WORK_UNIT_UNKNOWN', 'ORIGIN_UNKNOWN');--> statement-breakpoint
CREATE TABLE "membership_transfers" (
	"member_number" varchar(20) PRIMARY KEY NOT NULL,
	"resident_id" varchar(32) NOT NULL,
	"from_organization_id" varchar(17) NOT NULL,
	"to_organization" text NOT NULL,
	"status" "party_member_status" NOT NULL,
	"joined_on" date NOT NULL,
	"full_member_on" date,
	"transferred_on" date NOT NULL
);
--> statement-breakpoint
ALTER TABLE "party_members" ADD COLUMN "placement_review" "member_placement_review";--> statement-breakpoint
-- Before 0002 every member sat in a residential branch. In-service and floating members belong with their work unit's
-- (or origin's) organization and report in to the community; where a report-in names that organization, the member
-- is carried over as the model has them: the branch row goes, and what it said is kept as a transfer.
INSERT INTO "membership_transfers" ("member_number", "resident_id", "from_organization_id", "to_organization", "status", "joined_on", "full_member_on", "transferred_on")
SELECT m."member_number", m."resident_id", m."organization_id", r."membership_organization", m."status", m."joined_on", m."full_member_on", current_date
FROM "party_members" m JOIN "party_report_ins" r ON r."resident_id" = m."resident_id"
WHERE m."status" IN ('EMPLOYED', 'FLOATING');--> statement-breakpoint
DELETE FROM "party_members" m USING "party_report_ins" r WHERE r."resident_id" = m."resident_id" AND m."status" IN ('EMPLOYED', 'FLOATING');--> statement-breakpoint
-- The rest have no report-in: nothing says where their membership belongs, so they stay and are marked for review
-- rather than given an invented work unit.
UPDATE "party_members" SET "placement_review" = (CASE WHEN "status" = 'EMPLOYED' THEN 'WORK_UNIT_UNKNOWN' ELSE 'ORIGIN_UNKNOWN' END)::"member_placement_review"
WHERE "status" IN ('EMPLOYED', 'FLOATING');
