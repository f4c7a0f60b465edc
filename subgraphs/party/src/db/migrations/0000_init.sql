CREATE TYPE "public"."party_activity_kind" AS ENUM('BRANCH_ASSEMBLY', 'COMMITTEE_MEETING', 'GROUP_MEETING', 'PARTY_LESSON', 'VOLUNTEER_SERVICE');--> statement-breakpoint
CREATE TYPE "public"."party_member_status" AS ENUM('EMPLOYED', 'FLOATING', 'RETIRED');--> statement-breakpoint
CREATE TYPE "public"."party_organization_level" AS ENUM('COMMITTEE', 'GENERAL_BRANCH', 'BRANCH');--> statement-breakpoint
CREATE TABLE "activity_attendance" (
	"id" varchar(56) PRIMARY KEY NOT NULL,
	"activity_id" varchar(24) NOT NULL,
	"resident_id" varchar(32) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "demo_seed" (
	"department" text PRIMARY KEY NOT NULL,
	"seed" integer NOT NULL,
	"residents" integer NOT NULL,
	"seeded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "party_activities" (
	"id" varchar(24) PRIMARY KEY NOT NULL,
	"organization_id" varchar(17) NOT NULL,
	"kind" "party_activity_kind" NOT NULL,
	"held_on" date NOT NULL,
	"title" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "party_members" (
	"resident_id" varchar(32) PRIMARY KEY NOT NULL,
	"member_number" varchar(20) NOT NULL,
	"organization_id" varchar(17) NOT NULL,
	"grid_code" varchar(15),
	"status" "party_member_status" NOT NULL,
	"joined_on" date NOT NULL,
	"full_member_on" date,
	CONSTRAINT "party_members_member_number_unique" UNIQUE("member_number")
);
--> statement-breakpoint
CREATE TABLE "party_organizations" (
	"id" varchar(17) PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"level" "party_organization_level" NOT NULL,
	"parent_id" varchar(17),
	"serves_community_code" varchar(12) NOT NULL,
	"serves_grid_code" varchar(15),
	"secretary_id" varchar(32),
	"founded_on" date NOT NULL
);
--> statement-breakpoint
CREATE TABLE "points_entries" (
	"id" varchar(24) PRIMARY KEY NOT NULL,
	"resident_id" varchar(32) NOT NULL,
	"activity_id" varchar(24),
	"points" integer NOT NULL,
	"reason" text NOT NULL,
	"awarded_on" date NOT NULL
);
--> statement-breakpoint
ALTER TABLE "activity_attendance" ADD CONSTRAINT "activity_attendance_activity_id_party_activities_id_fk" FOREIGN KEY ("activity_id") REFERENCES "public"."party_activities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "activity_attendance_activity_idx" ON "activity_attendance" USING btree ("activity_id","id");--> statement-breakpoint
CREATE INDEX "activity_attendance_resident_idx" ON "activity_attendance" USING btree ("resident_id","id");--> statement-breakpoint
CREATE INDEX "party_activities_organization_idx" ON "party_activities" USING btree ("organization_id","id");--> statement-breakpoint
CREATE INDEX "party_members_organization_idx" ON "party_members" USING btree ("organization_id","resident_id");--> statement-breakpoint
CREATE INDEX "party_members_grid_idx" ON "party_members" USING btree ("grid_code","resident_id");--> statement-breakpoint
CREATE INDEX "party_organizations_parent_idx" ON "party_organizations" USING btree ("parent_id","id");--> statement-breakpoint
CREATE INDEX "party_organizations_grid_idx" ON "party_organizations" USING btree ("serves_grid_code","id");--> statement-breakpoint
CREATE INDEX "points_entries_resident_idx" ON "points_entries" USING btree ("resident_id","id","points");