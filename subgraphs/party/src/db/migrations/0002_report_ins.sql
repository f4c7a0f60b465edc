CREATE TYPE "public"."report_in_kind" AS ENUM('IN_SERVICE', 'FLOATING');--> statement-breakpoint
ALTER TYPE "public"."party_activity_kind" ADD VALUE 'THEME_PARTY_DAY';--> statement-breakpoint
CREATE TABLE "party_report_ins" (
	"id" varchar(21) PRIMARY KEY NOT NULL,
	"resident_id" varchar(32) NOT NULL,
	"kind" "report_in_kind" NOT NULL,
	"organization_id" varchar(17) NOT NULL,
	"grid_code" varchar(15) NOT NULL,
	"membership_organization" text NOT NULL,
	"work_unit" text,
	"joined_on" date NOT NULL,
	"reported_on" date NOT NULL,
	CONSTRAINT "party_report_ins_resident_id_unique" UNIQUE("resident_id")
);
--> statement-breakpoint
CREATE INDEX "party_report_ins_organization_idx" ON "party_report_ins" USING btree ("organization_id","id");--> statement-breakpoint
CREATE INDEX "party_report_ins_grid_idx" ON "party_report_ins" USING btree ("grid_code","id");