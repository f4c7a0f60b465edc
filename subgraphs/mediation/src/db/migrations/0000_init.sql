CREATE TYPE "public"."case_category" AS ENUM('MARRIAGE_FAMILY', 'NEIGHBOURS', 'HOUSES_HOMESTEADS', 'CONTRACTS', 'PRODUCTION_BUSINESS', 'DAMAGES', 'FORESTS_LAND', 'LAND_ACQUISITION_DEMOLITION', 'ENVIRONMENT', 'LABOUR', 'CONSUMER', 'MEDICAL', 'ROAD_TRAFFIC', 'PROPERTY_MANAGEMENT', 'OTHER');--> statement-breakpoint
CREATE TYPE "public"."case_outcome" AS ENUM('AGREEMENT_REACHED', 'MEDIATION_FAILED', 'HANDLED_BY_DEPARTMENT');--> statement-breakpoint
CREATE TYPE "public"."case_party_role" AS ENUM('APPLICANT', 'RESPONDENT');--> statement-breakpoint
CREATE TYPE "public"."case_source" AS ENUM('PARTY_APPLICATION', 'COMMITTEE_INITIATIVE', 'POLICE_REFERRAL', 'COURT_REFERRAL', 'PETITION_REFERRAL', 'GOVERNMENT_ASSIGNED', 'GRID_WORKER_REPORT');--> statement-breakpoint
CREATE TYPE "public"."case_status" AS ENUM('REPORTED', 'ACCEPTED', 'REJECTED', 'DISPATCHED', 'IN_PROGRESS', 'RESOLVED', 'CLOSED', 'ESCALATED');--> statement-breakpoint
CREATE TYPE "public"."mediation_industry" AS ENUM('PROPERTY', 'HOUSING', 'LAND', 'AGRICULTURE', 'MEDICAL', 'LABOUR');--> statement-breakpoint
CREATE TYPE "public"."mediation_committee_type" AS ENUM('COMMUNITY', 'INDUSTRY');--> statement-breakpoint
CREATE TYPE "public"."mediator_background" AS ENUM('LAWYER', 'GRID_WORKER', 'JUDGE', 'PROSECUTOR', 'POLICE', 'ELDER', 'OTHER');--> statement-breakpoint
CREATE TYPE "public"."mediator_employment" AS ENUM('FULL_TIME', 'PART_TIME');--> statement-breakpoint
CREATE TABLE "agreements" (
	"case_id" varchar(21) PRIMARY KEY NOT NULL,
	"reached_on" date NOT NULL,
	"terms" text NOT NULL,
	"perform_by" date NOT NULL,
	"performed" boolean NOT NULL
);
--> statement-breakpoint
CREATE TABLE "case_parties" (
	"case_id" varchar(21) NOT NULL,
	"position" smallint NOT NULL,
	"role" "case_party_role" NOT NULL,
	"resident_id" varchar(32),
	"id_number" varchar(18),
	"organization_id" varchar(17),
	CONSTRAINT "case_parties_case_id_position_pk" PRIMARY KEY("case_id","position"),
	CONSTRAINT "case_parties_one_party" CHECK (("case_parties"."resident_id" is null) <> ("case_parties"."organization_id" is null))
);
--> statement-breakpoint
CREATE TABLE "cases" (
	"id" varchar(21) PRIMARY KEY NOT NULL,
	"category" "case_category" NOT NULL,
	"source" "case_source" NOT NULL,
	"grid_code" varchar(15) NOT NULL,
	"community_code" varchar(12) NOT NULL,
	"street_code" varchar(12) NOT NULL,
	"committee_id" varchar(17) NOT NULL,
	"mediator_id" varchar(21),
	"status" "case_status" NOT NULL,
	"outcome" "case_outcome",
	"summary" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"accepted_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"due_on" date NOT NULL,
	"incident_id" varchar(28),
	"house_code" varchar(25),
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "demo_seed" (
	"department" text PRIMARY KEY NOT NULL,
	"seed" integer NOT NULL,
	"residents" integer NOT NULL,
	"seeded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "follow_ups" (
	"case_id" varchar(21) NOT NULL,
	"position" smallint NOT NULL,
	"visited_on" date NOT NULL,
	"satisfied" boolean NOT NULL,
	"note" text NOT NULL,
	CONSTRAINT "follow_ups_case_id_position_pk" PRIMARY KEY("case_id","position")
);
--> statement-breakpoint
CREATE TABLE "mediation_committees" (
	"organization_id" varchar(17) PRIMARY KEY NOT NULL,
	"type" "mediation_committee_type" NOT NULL,
	"industry" "mediation_industry",
	"community_code" varchar(12) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mediation_records" (
	"case_id" varchar(21) NOT NULL,
	"position" smallint NOT NULL,
	"held_on" date NOT NULL,
	"mediator_id" varchar(21) NOT NULL,
	"content" text NOT NULL,
	CONSTRAINT "mediation_records_case_id_position_pk" PRIMARY KEY("case_id","position")
);
--> statement-breakpoint
CREATE TABLE "mediators" (
	"id" varchar(21) PRIMARY KEY NOT NULL,
	"committee_id" varchar(17) NOT NULL,
	"name" text NOT NULL,
	"id_number" varchar(18),
	"resident_id" varchar(32),
	"employment" "mediator_employment" NOT NULL,
	"background" "mediator_background" NOT NULL
);
--> statement-breakpoint
ALTER TABLE "agreements" ADD CONSTRAINT "agreements_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_parties" ADD CONSTRAINT "case_parties_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_committee_id_mediation_committees_organization_id_fk" FOREIGN KEY ("committee_id") REFERENCES "public"."mediation_committees"("organization_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_mediator_id_mediators_id_fk" FOREIGN KEY ("mediator_id") REFERENCES "public"."mediators"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "follow_ups" ADD CONSTRAINT "follow_ups_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mediation_records" ADD CONSTRAINT "mediation_records_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mediation_records" ADD CONSTRAINT "mediation_records_mediator_id_mediators_id_fk" FOREIGN KEY ("mediator_id") REFERENCES "public"."mediators"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mediators" ADD CONSTRAINT "mediators_committee_id_mediation_committees_organization_id_fk" FOREIGN KEY ("committee_id") REFERENCES "public"."mediation_committees"("organization_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "case_parties_resident_idx" ON "case_parties" USING btree ("resident_id","case_id");--> statement-breakpoint
CREATE INDEX "case_parties_organization_idx" ON "case_parties" USING btree ("organization_id","case_id");--> statement-breakpoint
CREATE INDEX "cases_grid_idx" ON "cases" USING btree ("grid_code","id");--> statement-breakpoint
CREATE INDEX "cases_grid_status_category_idx" ON "cases" USING btree ("grid_code","status","category","id");--> statement-breakpoint
CREATE INDEX "cases_community_idx" ON "cases" USING btree ("community_code","id");--> statement-breakpoint
CREATE INDEX "cases_street_idx" ON "cases" USING btree ("street_code","id");--> statement-breakpoint
CREATE INDEX "cases_status_category_idx" ON "cases" USING btree ("status","category","id");--> statement-breakpoint
CREATE INDEX "cases_committee_idx" ON "cases" USING btree ("committee_id","id");--> statement-breakpoint
CREATE INDEX "cases_mediator_idx" ON "cases" USING btree ("mediator_id");--> statement-breakpoint
CREATE UNIQUE INDEX "cases_incident_idx" ON "cases" USING btree ("incident_id");--> statement-breakpoint
CREATE INDEX "cases_house_idx" ON "cases" USING btree ("house_code","id");--> statement-breakpoint
CREATE INDEX "mediation_committees_community_idx" ON "mediation_committees" USING btree ("community_code");--> statement-breakpoint
CREATE INDEX "mediation_records_mediator_idx" ON "mediation_records" USING btree ("mediator_id");--> statement-breakpoint
CREATE INDEX "mediators_committee_idx" ON "mediators" USING btree ("committee_id","id");--> statement-breakpoint
CREATE INDEX "mediators_resident_idx" ON "mediators" USING btree ("resident_id");