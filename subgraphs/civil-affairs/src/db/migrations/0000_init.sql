CREATE TYPE "public"."community_kind" AS ENUM('COMMUNITY', 'VILLAGE');--> statement-breakpoint
CREATE TYPE "public"."grid_worker_role" AS ENUM('FULL_TIME', 'PART_TIME');--> statement-breakpoint
CREATE TYPE "public"."organization_kind" AS ENUM('PARTY_ORGANIZATION', 'SOCIAL_ORGANIZATION', 'RESIDENTS_COMMITTEE', 'VILLAGERS_COMMITTEE', 'PROPERTY_COMPANY', 'OWNERS_COMMITTEE', 'MEDIATION_COMMITTEE');--> statement-breakpoint
CREATE TYPE "public"."registering_department" AS ENUM('PARTY', 'CIVIL_AFFAIRS', 'HOUSING', 'MEDIATION');--> statement-breakpoint
CREATE TYPE "public"."social_organization_type" AS ENUM('SOCIAL_GROUP', 'PRIVATE_NON_ENTERPRISE', 'FOUNDATION');--> statement-breakpoint
CREATE TYPE "public"."township_kind" AS ENUM('STREET', 'TOWN', 'TOWNSHIP');--> statement-breakpoint
CREATE TYPE "public"."welfare_kind" AS ENUM('MINIMUM_LIVING', 'EXTREME_POVERTY', 'DISABILITY_LIVING', 'DISABILITY_CARE', 'OLD_AGE');--> statement-breakpoint
CREATE TYPE "public"."welfare_status" AS ENUM('ACTIVE', 'SUSPENDED', 'ENDED');--> statement-breakpoint
CREATE TABLE "communities" (
	"code" varchar(12) PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" "community_kind" NOT NULL,
	"area_km2" double precision NOT NULL,
	"street_code" varchar(12) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "demo_seed" (
	"department" text PRIMARY KEY NOT NULL,
	"seed" integer NOT NULL,
	"residents" integer NOT NULL,
	"seeded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "districts" (
	"code" varchar(6) PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"city_name" text NOT NULL,
	"province_name" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "grid_workers" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "grid_workers_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"grid_code" varchar(15) NOT NULL,
	"resident_id" varchar(32) NOT NULL,
	"id_number" varchar(18) NOT NULL,
	"name" text NOT NULL,
	"phone" varchar(11) NOT NULL,
	"role" "grid_worker_role" NOT NULL,
	"started_on" date NOT NULL
);
--> statement-breakpoint
CREATE TABLE "grids" (
	"code" varchar(15) PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"sequence" integer NOT NULL,
	"community_code" varchar(12) NOT NULL,
	"street_code" varchar(12) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "organizations" (
	"id" varchar(17) PRIMARY KEY NOT NULL,
	"kind" "organization_kind" NOT NULL,
	"name" text NOT NULL,
	"credit_code" varchar(18),
	"grid_code" varchar(15) NOT NULL,
	"community_code" varchar(12) NOT NULL,
	"registered_on" date NOT NULL,
	"registered_by" "registering_department" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "social_organizations" (
	"organization_id" varchar(17) PRIMARY KEY NOT NULL,
	"type" "social_organization_type" NOT NULL,
	"legal_representative_id" varchar(32) NOT NULL,
	"business_scope" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "streets" (
	"code" varchar(12) PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" "township_kind" NOT NULL,
	"district_code" varchar(6) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "welfare_entitlements" (
	"id" varchar(21) PRIMARY KEY NOT NULL,
	"resident_id" varchar(32) NOT NULL,
	"grid_code" varchar(15) NOT NULL,
	"kind" "welfare_kind" NOT NULL,
	"monthly_amount" numeric(10, 2) NOT NULL,
	"starts_on" date NOT NULL,
	"ends_on" date,
	"status" "welfare_status" NOT NULL,
	"disability_certificate_number" varchar(20)
);
--> statement-breakpoint
ALTER TABLE "communities" ADD CONSTRAINT "communities_street_code_streets_code_fk" FOREIGN KEY ("street_code") REFERENCES "public"."streets"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grid_workers" ADD CONSTRAINT "grid_workers_grid_code_grids_code_fk" FOREIGN KEY ("grid_code") REFERENCES "public"."grids"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grids" ADD CONSTRAINT "grids_community_code_communities_code_fk" FOREIGN KEY ("community_code") REFERENCES "public"."communities"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grids" ADD CONSTRAINT "grids_street_code_streets_code_fk" FOREIGN KEY ("street_code") REFERENCES "public"."streets"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organizations" ADD CONSTRAINT "organizations_grid_code_grids_code_fk" FOREIGN KEY ("grid_code") REFERENCES "public"."grids"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organizations" ADD CONSTRAINT "organizations_community_code_communities_code_fk" FOREIGN KEY ("community_code") REFERENCES "public"."communities"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "social_organizations" ADD CONSTRAINT "social_organizations_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "streets" ADD CONSTRAINT "streets_district_code_districts_code_fk" FOREIGN KEY ("district_code") REFERENCES "public"."districts"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "welfare_entitlements" ADD CONSTRAINT "welfare_entitlements_grid_code_grids_code_fk" FOREIGN KEY ("grid_code") REFERENCES "public"."grids"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "communities_street_idx" ON "communities" USING btree ("street_code","code");--> statement-breakpoint
CREATE INDEX "grid_workers_grid_idx" ON "grid_workers" USING btree ("grid_code");--> statement-breakpoint
CREATE INDEX "grid_workers_resident_idx" ON "grid_workers" USING btree ("resident_id");--> statement-breakpoint
CREATE INDEX "grids_community_idx" ON "grids" USING btree ("community_code","code");--> statement-breakpoint
CREATE INDEX "grids_street_idx" ON "grids" USING btree ("street_code","code");--> statement-breakpoint
CREATE UNIQUE INDEX "organizations_credit_code_idx" ON "organizations" USING btree ("credit_code");--> statement-breakpoint
CREATE INDEX "organizations_grid_id_idx" ON "organizations" USING btree ("grid_code","id");--> statement-breakpoint
CREATE INDEX "organizations_grid_kind_idx" ON "organizations" USING btree ("grid_code","kind","id");--> statement-breakpoint
CREATE INDEX "organizations_community_idx" ON "organizations" USING btree ("community_code","id");--> statement-breakpoint
CREATE INDEX "organizations_kind_idx" ON "organizations" USING btree ("kind","id");--> statement-breakpoint
CREATE INDEX "streets_district_idx" ON "streets" USING btree ("district_code","code");--> statement-breakpoint
CREATE INDEX "welfare_resident_idx" ON "welfare_entitlements" USING btree ("resident_id");--> statement-breakpoint
CREATE INDEX "welfare_grid_id_idx" ON "welfare_entitlements" USING btree ("grid_code","id");--> statement-breakpoint
CREATE INDEX "welfare_grid_kind_idx" ON "welfare_entitlements" USING btree ("grid_code","kind","id");