CREATE TYPE "public"."building_structure" AS ENUM('STEEL', 'REINFORCED_CONCRETE', 'BRICK_CONCRETE', 'BRICK_WOOD', 'OTHER');--> statement-breakpoint
CREATE TYPE "public"."inspection_result" AS ENUM('COMPLIANT', 'RELAPSED');--> statement-breakpoint
CREATE TYPE "public"."property_nature" AS ENUM('COMMODITY', 'PUBLIC_RENTAL', 'REFORM', 'RESETTLEMENT', 'AFFORDABLE', 'SELF_BUILT', 'COLLECTIVE', 'OTHER');--> statement-breakpoint
ALTER TYPE "public"."group_rental_status" ADD VALUE 'RELAPSED';--> statement-breakpoint
CREATE TABLE "group_rental_inspections" (
	"id" varchar(22) PRIMARY KEY NOT NULL,
	"group_rental_id" varchar(20) NOT NULL,
	"inspected_on" date NOT NULL,
	"occupant_count" integer NOT NULL,
	"result" "inspection_result" NOT NULL
);
--> statement-breakpoint
ALTER TABLE "buildings" ADD COLUMN "structure" "building_structure";--> statement-breakpoint
ALTER TABLE "group_rentals" ADD COLUMN "partitioned" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "group_rentals" ADD COLUMN "bed_letting" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "houses" ADD COLUMN "usable_area_m2" double precision;--> statement-breakpoint
ALTER TABLE "houses" ADD COLUMN "property_nature" "property_nature";--> statement-breakpoint
ALTER TABLE "group_rental_inspections" ADD CONSTRAINT "group_rental_inspections_group_rental_id_group_rentals_id_fk" FOREIGN KEY ("group_rental_id") REFERENCES "public"."group_rentals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "group_rental_inspections_rental_idx" ON "group_rental_inspections" USING btree ("group_rental_id","id");--> statement-breakpoint
ALTER TABLE "property_companies" DROP COLUMN "qualification";