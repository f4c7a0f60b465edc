CREATE TYPE "public"."building_use" AS ENUM('RESIDENTIAL', 'MIXED', 'COMMERCIAL');--> statement-breakpoint
CREATE TYPE "public"."group_rental_status" AS ENUM('IDENTIFIED', 'INTERVIEWED', 'RECTIFIED');--> statement-breakpoint
CREATE TYPE "public"."house_use" AS ENUM('RESIDENTIAL', 'COMMERCIAL', 'OFFICE', 'OTHER');--> statement-breakpoint
CREATE TABLE "buildings" (
	"code" varchar(17) PRIMARY KEY NOT NULL,
	"grid_code" varchar(15) NOT NULL,
	"number" integer NOT NULL,
	"address" text NOT NULL,
	"floors" integer NOT NULL,
	"units" integer NOT NULL,
	"use" "building_use" NOT NULL,
	"built_year" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "demo_seed" (
	"department" text PRIMARY KEY NOT NULL,
	"seed" integer NOT NULL,
	"residents" integer NOT NULL,
	"seeded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "group_rentals" (
	"id" varchar(20) PRIMARY KEY NOT NULL,
	"house_code" varchar(25) NOT NULL,
	"grid_code" varchar(15) NOT NULL,
	"community_code" varchar(12) NOT NULL,
	"street_code" varchar(12) NOT NULL,
	"status" "group_rental_status" NOT NULL,
	"identified_on" date NOT NULL,
	"interviewed_on" date,
	"rectified_on" date,
	"occupant_count" integer NOT NULL,
	"note" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "houses" (
	"code" varchar(25) PRIMARY KEY NOT NULL,
	"building_code" varchar(17) NOT NULL,
	"grid_code" varchar(15) NOT NULL,
	"unit" integer NOT NULL,
	"room" varchar(4) NOT NULL,
	"area_m2" double precision NOT NULL,
	"rooms" integer NOT NULL,
	"use" "house_use" DEFAULT 'RESIDENTIAL' NOT NULL,
	"address" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "owners_committee_buildings" (
	"building_code" varchar(17) PRIMARY KEY NOT NULL,
	"organization_id" varchar(17) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "owners_committees" (
	"organization_id" varchar(17) PRIMARY KEY NOT NULL,
	"elected_on" date NOT NULL,
	"filed_on" date,
	"chair_resident_id" varchar(32) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ownerships" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "ownerships_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"house_code" varchar(25) NOT NULL,
	"owner_resident_id" varchar(32),
	"owner_organization_id" varchar(17),
	"share_percent" numeric(5, 2) NOT NULL,
	"certificate_number" text NOT NULL,
	"registered_on" date NOT NULL,
	CONSTRAINT "ownerships_one_owner" CHECK (("ownerships"."owner_resident_id" is null) <> ("ownerships"."owner_organization_id" is null))
);
--> statement-breakpoint
CREATE TABLE "property_companies" (
	"organization_id" varchar(17) PRIMARY KEY NOT NULL,
	"qualification" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "property_company_buildings" (
	"building_code" varchar(17) PRIMARY KEY NOT NULL,
	"organization_id" varchar(17) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tenancies" (
	"id" varchar(21) PRIMARY KEY NOT NULL,
	"house_code" varchar(25) NOT NULL,
	"grid_code" varchar(15) NOT NULL,
	"landlord_resident_id" varchar(32),
	"landlord_organization_id" varchar(17),
	"rooms" integer NOT NULL,
	"area_m2" double precision NOT NULL,
	"monthly_rent" numeric(10, 2) NOT NULL,
	"filing_number" text,
	"starts_on" date NOT NULL,
	"ends_on" date NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tenancy_occupants" (
	"tenancy_id" varchar(21) NOT NULL,
	"resident_id" varchar(32) NOT NULL,
	CONSTRAINT "tenancy_occupants_tenancy_id_resident_id_pk" PRIMARY KEY("tenancy_id","resident_id")
);
--> statement-breakpoint
ALTER TABLE "group_rentals" ADD CONSTRAINT "group_rentals_house_code_houses_code_fk" FOREIGN KEY ("house_code") REFERENCES "public"."houses"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "houses" ADD CONSTRAINT "houses_building_code_buildings_code_fk" FOREIGN KEY ("building_code") REFERENCES "public"."buildings"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "owners_committee_buildings" ADD CONSTRAINT "owners_committee_buildings_building_code_buildings_code_fk" FOREIGN KEY ("building_code") REFERENCES "public"."buildings"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "owners_committee_buildings" ADD CONSTRAINT "owners_committee_buildings_organization_id_owners_committees_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."owners_committees"("organization_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ownerships" ADD CONSTRAINT "ownerships_house_code_houses_code_fk" FOREIGN KEY ("house_code") REFERENCES "public"."houses"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "property_company_buildings" ADD CONSTRAINT "property_company_buildings_building_code_buildings_code_fk" FOREIGN KEY ("building_code") REFERENCES "public"."buildings"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "property_company_buildings" ADD CONSTRAINT "property_company_buildings_organization_id_property_companies_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."property_companies"("organization_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenancies" ADD CONSTRAINT "tenancies_house_code_houses_code_fk" FOREIGN KEY ("house_code") REFERENCES "public"."houses"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenancy_occupants" ADD CONSTRAINT "tenancy_occupants_tenancy_id_tenancies_id_fk" FOREIGN KEY ("tenancy_id") REFERENCES "public"."tenancies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "buildings_grid_idx" ON "buildings" USING btree ("grid_code","code");--> statement-breakpoint
CREATE INDEX "group_rentals_house_idx" ON "group_rentals" USING btree ("house_code","identified_on");--> statement-breakpoint
CREATE INDEX "group_rentals_grid_idx" ON "group_rentals" USING btree ("grid_code","id");--> statement-breakpoint
CREATE INDEX "group_rentals_grid_status_idx" ON "group_rentals" USING btree ("grid_code","status","id");--> statement-breakpoint
CREATE INDEX "group_rentals_community_idx" ON "group_rentals" USING btree ("community_code","id");--> statement-breakpoint
CREATE INDEX "group_rentals_street_idx" ON "group_rentals" USING btree ("street_code","id");--> statement-breakpoint
CREATE INDEX "group_rentals_street_status_idx" ON "group_rentals" USING btree ("street_code","status","id");--> statement-breakpoint
CREATE INDEX "houses_building_idx" ON "houses" USING btree ("building_code","code");--> statement-breakpoint
CREATE INDEX "houses_grid_idx" ON "houses" USING btree ("grid_code");--> statement-breakpoint
CREATE INDEX "owners_committee_buildings_committee_idx" ON "owners_committee_buildings" USING btree ("organization_id","building_code");--> statement-breakpoint
CREATE INDEX "ownerships_house_idx" ON "ownerships" USING btree ("house_code","id");--> statement-breakpoint
CREATE INDEX "ownerships_resident_idx" ON "ownerships" USING btree ("owner_resident_id");--> statement-breakpoint
CREATE INDEX "ownerships_organization_idx" ON "ownerships" USING btree ("owner_organization_id");--> statement-breakpoint
CREATE INDEX "property_company_buildings_company_idx" ON "property_company_buildings" USING btree ("organization_id","building_code");--> statement-breakpoint
CREATE INDEX "tenancies_house_idx" ON "tenancies" USING btree ("house_code","starts_on");--> statement-breakpoint
CREATE INDEX "tenancies_grid_idx" ON "tenancies" USING btree ("grid_code");--> statement-breakpoint
CREATE INDEX "tenancy_occupants_resident_idx" ON "tenancy_occupants" USING btree ("resident_id");