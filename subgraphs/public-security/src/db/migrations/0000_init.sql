CREATE TYPE "public"."household_relation" AS ENUM('SELF', 'SPOUSE', 'CHILD', 'PARENT', 'GRANDCHILD', 'OTHER_RELATIVE', 'TENANT');--> statement-breakpoint
CREATE TYPE "public"."inflow_reason" AS ENUM('WORK', 'BUSINESS', 'STUDY', 'FAMILY', 'MEDICAL', 'OTHER');--> statement-breakpoint
CREATE TYPE "public"."population_type" AS ENUM('REGISTERED', 'FLOATING', 'OVERSEAS', 'UNSETTLED');--> statement-breakpoint
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
CREATE INDEX "residents_grid_id_idx" ON "residents" USING btree ("grid_code","id");--> statement-breakpoint
CREATE INDEX "residents_grid_type_idx" ON "residents" USING btree ("grid_code","population_type","id");--> statement-breakpoint
CREATE INDEX "residents_house_idx" ON "residents" USING btree ("house_code");