CREATE TYPE "public"."household_relation" AS ENUM('SELF', 'SPOUSE', 'CHILD', 'PARENT', 'GRANDCHILD', 'OTHER_RELATIVE', 'TENANT');--> statement-breakpoint
CREATE TYPE "public"."incident_type" AS ENUM('DISPUTE', 'THEFT', 'FRAUD', 'TRAFFIC', 'NOISE', 'DOMESTIC', 'OTHER');--> statement-breakpoint
CREATE TYPE "public"."inflow_reason" AS ENUM('WORK', 'BUSINESS', 'STUDY', 'FAMILY', 'MEDICAL', 'OTHER');--> statement-breakpoint
CREATE TYPE "public"."key_person_category" AS ENUM('COMMUNITY_CORRECTION', 'RELEASED_PRISONER', 'SEVERE_MENTAL_DISORDER', 'DRUG_USER', 'KEY_YOUTH');--> statement-breakpoint
CREATE TYPE "public"."population_type" AS ENUM('REGISTERED', 'FLOATING', 'OVERSEAS', 'UNSETTLED');--> statement-breakpoint
CREATE TYPE "public"."risk_level" AS ENUM('LOW', 'MEDIUM', 'HIGH');--> statement-breakpoint
CREATE TYPE "public"."sex" AS ENUM('UNKNOWN', 'MALE', 'FEMALE', 'UNSTATED');--> statement-breakpoint
CREATE TABLE "demo_seed" (
	"department" text PRIMARY KEY NOT NULL,
	"seed" integer NOT NULL,
	"residents" integer NOT NULL,
	"seeded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "floating_details" (
	"resident_id" varchar(32) PRIMARY KEY NOT NULL,
	"inflow_reason" "inflow_reason" NOT NULL,
	"inflow_date" date NOT NULL,
	"origin_address" text NOT NULL,
	"residence_permit_number" text,
	"residence_permit_expires_on" date
);
--> statement-breakpoint
CREATE TABLE "incident_involved" (
	"incident_id" varchar(28) NOT NULL,
	"position" smallint NOT NULL,
	"resident_id" varchar(32) NOT NULL,
	CONSTRAINT "incident_involved_incident_id_position_pk" PRIMARY KEY("incident_id","position")
);
--> statement-breakpoint
CREATE TABLE "incidents" (
	"id" varchar(28) PRIMARY KEY NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"grid_code" varchar(15) NOT NULL,
	"address" text NOT NULL,
	"type" "incident_type" NOT NULL,
	"summary" text NOT NULL,
	"referred_to_mediation" boolean NOT NULL,
	"referred_on" date
);
--> statement-breakpoint
CREATE TABLE "key_persons" (
	"id" varchar(20) PRIMARY KEY NOT NULL,
	"resident_id" varchar(32) NOT NULL,
	"grid_code" varchar(15) NOT NULL,
	"category" "key_person_category" NOT NULL,
	"risk_level" "risk_level" NOT NULL,
	"officer_name" text NOT NULL,
	"officer_badge" varchar(6) NOT NULL,
	"plan" text NOT NULL,
	"since" date NOT NULL,
	"guardian_id" varchar(32)
);
--> statement-breakpoint
CREATE TABLE "residents" (
	"id" varchar(32) PRIMARY KEY NOT NULL,
	"id_number" varchar(18) NOT NULL,
	"name" text NOT NULL,
	"sex" "sex" NOT NULL,
	"birth_date" date NOT NULL,
	"phone" varchar(11),
	"population_type" "population_type" NOT NULL,
	"registered_address" text,
	"house_code" text,
	"grid_code" varchar(15) NOT NULL,
	"household_id" text,
	"relation_to_head" "household_relation" DEFAULT 'SELF' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "residents_id_number_unique" UNIQUE("id_number")
);
--> statement-breakpoint
ALTER TABLE "floating_details" ADD CONSTRAINT "floating_details_resident_id_residents_id_fk" FOREIGN KEY ("resident_id") REFERENCES "public"."residents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_involved" ADD CONSTRAINT "incident_involved_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "key_persons" ADD CONSTRAINT "key_persons_resident_id_residents_id_fk" FOREIGN KEY ("resident_id") REFERENCES "public"."residents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "incident_involved_resident_idx" ON "incident_involved" USING btree ("resident_id");--> statement-breakpoint
CREATE INDEX "incidents_grid_id_idx" ON "incidents" USING btree ("grid_code","id");--> statement-breakpoint
CREATE INDEX "incidents_occurred_at_idx" ON "incidents" USING btree ("occurred_at");--> statement-breakpoint
CREATE UNIQUE INDEX "key_persons_resident_idx" ON "key_persons" USING btree ("resident_id");--> statement-breakpoint
CREATE INDEX "key_persons_grid_id_idx" ON "key_persons" USING btree ("grid_code","id");--> statement-breakpoint
CREATE INDEX "key_persons_grid_category_idx" ON "key_persons" USING btree ("grid_code","category","id");--> statement-breakpoint
CREATE INDEX "residents_grid_id_idx" ON "residents" USING btree ("grid_code","id");--> statement-breakpoint
CREATE INDEX "residents_grid_type_idx" ON "residents" USING btree ("grid_code","population_type","id");--> statement-breakpoint
CREATE INDEX "residents_house_idx" ON "residents" USING btree ("house_code");