CREATE TYPE "public"."volunteer_role" AS ENUM('VOLUNTEER', 'MONITOR');--> statement-breakpoint
CREATE TABLE "post_claims" (
	"id" varchar(21) PRIMARY KEY NOT NULL,
	"resident_id" varchar(32) NOT NULL,
	"grid_code" varchar(15) NOT NULL,
	"organization_id" varchar(17) NOT NULL,
	"post" text NOT NULL,
	"claimed_on" date NOT NULL
);
--> statement-breakpoint
CREATE TABLE "volunteers" (
	"id" varchar(21) PRIMARY KEY NOT NULL,
	"resident_id" varchar(32) NOT NULL,
	"grid_code" varchar(15) NOT NULL,
	"team" text NOT NULL,
	"role" "volunteer_role" NOT NULL,
	"party_member" boolean NOT NULL,
	"service_hours" numeric(7, 1) NOT NULL,
	"registered_on" date NOT NULL,
	CONSTRAINT "volunteers_resident_id_unique" UNIQUE("resident_id")
);
--> statement-breakpoint
CREATE INDEX "post_claims_resident_idx" ON "post_claims" USING btree ("resident_id","id");--> statement-breakpoint
CREATE INDEX "post_claims_organization_idx" ON "post_claims" USING btree ("organization_id","id");--> statement-breakpoint
CREATE INDEX "volunteers_grid_idx" ON "volunteers" USING btree ("grid_code","id");