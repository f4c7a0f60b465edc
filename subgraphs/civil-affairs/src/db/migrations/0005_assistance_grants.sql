CREATE TYPE "public"."assistance_kind" AS ENUM('TEMPORARY', 'MEDICAL');--> statement-breakpoint
CREATE TYPE "public"."assistance_reason" AS ENUM('ACCIDENT', 'DISASTER', 'SUDDEN_ILLNESS', 'EDUCATION', 'LIVING_HARDSHIP', 'OTHER', 'INPATIENT', 'OUTPATIENT_CHRONIC');--> statement-breakpoint
CREATE TABLE "assistance_grants" (
	"id" varchar(21) PRIMARY KEY NOT NULL,
	"resident_id" varchar(32) NOT NULL,
	"grid_code" varchar(15) NOT NULL,
	"kind" "assistance_kind" NOT NULL,
	"reason" "assistance_reason" NOT NULL,
	"amount" numeric(10, 2) NOT NULL,
	"granted_on" date NOT NULL,
	"approving_office" text NOT NULL,
	"approver_name" text NOT NULL,
	"hospital" text,
	"admitted_on" date,
	"discharged_on" date,
	"eligible_cost" numeric(12, 2),
	"reimbursed_percent" smallint,
	CONSTRAINT "assistance_amount_check" CHECK ("assistance_grants"."amount" > 0),
	CONSTRAINT "assistance_episode_check" CHECK (("assistance_grants"."kind" = 'MEDICAL') = ("assistance_grants"."hospital" is not null and "assistance_grants"."admitted_on" is not null and "assistance_grants"."eligible_cost" is not null and "assistance_grants"."reimbursed_percent" is not null)),
	CONSTRAINT "assistance_reason_check" CHECK (("assistance_grants"."kind" = 'MEDICAL') = ("assistance_grants"."reason" in ('INPATIENT', 'OUTPATIENT_CHRONIC'))),
	CONSTRAINT "assistance_percent_check" CHECK ("assistance_grants"."reimbursed_percent" between 1 and 100)
);
--> statement-breakpoint
ALTER TABLE "assistance_grants" ADD CONSTRAINT "assistance_grants_grid_code_grids_code_fk" FOREIGN KEY ("grid_code") REFERENCES "public"."grids"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "assistance_resident_idx" ON "assistance_grants" USING btree ("resident_id");--> statement-breakpoint
CREATE INDEX "assistance_grid_kind_idx" ON "assistance_grants" USING btree ("grid_code","kind","id");