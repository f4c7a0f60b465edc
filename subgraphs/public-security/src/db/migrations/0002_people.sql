CREATE TYPE "public"."contact_method" AS ENUM('HOME_VISIT', 'PHONE', 'VIDEO', 'INTERVIEW', 'REPORT_IN');--> statement-breakpoint
CREATE TYPE "public"."document_type" AS ENUM('ID_CARD', 'PASSPORT', 'HK_MACAO_PERMIT', 'TAIWAN_PERMIT', 'FOREIGN_PERMANENT_RESIDENCE', 'NONE');--> statement-breakpoint
CREATE TYPE "public"."household_basis" AS ENUM('HUKOU', 'RESIDENCE');--> statement-breakpoint
CREATE TYPE "public"."household_kind" AS ENUM('FAMILY', 'COLLECTIVE');--> statement-breakpoint
CREATE TYPE "public"."owning_unit" AS ENUM('JUSTICE_OFFICE', 'HEALTH', 'NARCOTICS_CONTROL', 'POLICE_STATION', 'GOVERNANCE_CENTRE');--> statement-breakpoint
CREATE TYPE "public"."residence_status" AS ENUM('RESIDENT_AND_REGISTERED', 'RESIDENT_NOT_REGISTERED', 'REGISTERED_NOT_RESIDENT');--> statement-breakpoint
CREATE TYPE "public"."stay_permit_kind" AS ENUM('VISA', 'RESIDENCE_PERMIT', 'PERMANENT_RESIDENCE', 'NONE');--> statement-breakpoint
CREATE TYPE "public"."tenure" AS ENUM('OWNED', 'RENTED', 'LODGING', 'DORMITORY', 'OTHER');--> statement-breakpoint
ALTER TYPE "public"."household_relation" ADD VALUE 'GRANDPARENT';--> statement-breakpoint
ALTER TYPE "public"."household_relation" ADD VALUE 'SIBLING';--> statement-breakpoint
ALTER TYPE "public"."household_relation" ADD VALUE 'NON_RELATIVE';--> statement-breakpoint
ALTER TYPE "public"."key_person_category" ADD VALUE 'AIDS_RISK';--> statement-breakpoint
CREATE TABLE "households" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" "household_kind" NOT NULL,
	"basis" "household_basis" NOT NULL,
	"head_resident_id" varchar(32),
	"grid_code" varchar(15) NOT NULL,
	"house_code" text,
	"police_station" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "key_person_categories" (
	"key_person_id" varchar(20) NOT NULL,
	"category" "key_person_category" NOT NULL,
	"owning_unit" "owning_unit" NOT NULL,
	"since" date NOT NULL,
	CONSTRAINT "key_person_categories_key_person_id_category_pk" PRIMARY KEY("key_person_id","category")
);
--> statement-breakpoint
CREATE TABLE "key_person_contacts" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "key_person_contacts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"key_person_id" varchar(20) NOT NULL,
	"contacted_on" date NOT NULL,
	"by_name" text NOT NULL,
	"by_unit" "owning_unit" NOT NULL,
	"method" "contact_method" NOT NULL,
	"finding" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "key_person_officers" (
	"key_person_id" varchar(20) NOT NULL,
	"position" smallint NOT NULL,
	"name" text NOT NULL,
	"unit" "owning_unit" NOT NULL,
	"badge" varchar(6),
	"phone" varchar(20),
	CONSTRAINT "key_person_officers_key_person_id_position_pk" PRIMARY KEY("key_person_id","position")
);
--> statement-breakpoint
CREATE TABLE "overseas_details" (
	"resident_id" varchar(32) PRIMARY KEY NOT NULL,
	"entry_date" date,
	"permit_kind" "stay_permit_kind" NOT NULL,
	"permit_number" varchar(40),
	"permit_expires_on" date,
	"employer_or_school" text
);
--> statement-breakpoint
ALTER TABLE "residents" ALTER COLUMN "id_number" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "residents" ALTER COLUMN "phone" SET DATA TYPE varchar(20);--> statement-breakpoint
ALTER TABLE "residents" ADD COLUMN "document_type" "document_type" DEFAULT 'ID_CARD' NOT NULL;--> statement-breakpoint
ALTER TABLE "residents" ADD COLUMN "document_number" varchar(40);--> statement-breakpoint
ALTER TABLE "residents" ADD COLUMN "nationality" varchar(3) DEFAULT 'CHN' NOT NULL;--> statement-breakpoint
ALTER TABLE "residents" ADD COLUMN "residence_status" "residence_status";--> statement-breakpoint
ALTER TABLE "residents" ADD COLUMN "hukou_division_code" varchar(6);--> statement-breakpoint
ALTER TABLE "residents" ADD COLUMN "hukou_police_station" text;--> statement-breakpoint
ALTER TABLE "residents" ADD COLUMN "hukou_household_id" text;--> statement-breakpoint
ALTER TABLE "residents" ADD COLUMN "tenure" "tenure";--> statement-breakpoint
ALTER TABLE "key_person_categories" ADD CONSTRAINT "key_person_categories_key_person_id_key_persons_id_fk" FOREIGN KEY ("key_person_id") REFERENCES "public"."key_persons"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "key_person_contacts" ADD CONSTRAINT "key_person_contacts_key_person_id_key_persons_id_fk" FOREIGN KEY ("key_person_id") REFERENCES "public"."key_persons"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "key_person_officers" ADD CONSTRAINT "key_person_officers_key_person_id_key_persons_id_fk" FOREIGN KEY ("key_person_id") REFERENCES "public"."key_persons"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "overseas_details" ADD CONSTRAINT "overseas_details_resident_id_residents_id_fk" FOREIGN KEY ("resident_id") REFERENCES "public"."residents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "households_grid_id_idx" ON "households" USING btree ("grid_code","id");--> statement-breakpoint
CREATE INDEX "key_person_categories_category_idx" ON "key_person_categories" USING btree ("category");--> statement-breakpoint
CREATE UNIQUE INDEX "key_person_contacts_natural_idx" ON "key_person_contacts" USING btree ("key_person_id","contacted_on","by_name","method");--> statement-breakpoint
CREATE INDEX "residents_household_idx" ON "residents" USING btree ("household_id");--> statement-breakpoint
CREATE INDEX "residents_hukou_household_idx" ON "residents" USING btree ("hukou_household_id");--> statement-breakpoint
CREATE UNIQUE INDEX "residents_document_idx" ON "residents" USING btree ("document_type","nationality","document_number");--> statement-breakpoint
ALTER TABLE "residents" ADD CONSTRAINT "residents_identity_check" CHECK (("residents"."document_type" = 'ID_CARD') = ("residents"."id_number" IS NOT NULL) AND ("residents"."document_type" = 'ID_CARD') = ("residents"."document_number" IS NULL));--> statement-breakpoint
-- Rows from before: registered people lived at their hukou (人户一致), floating people's hukou is elsewhere by definition (人在户不在); overseas and unsettled people have no hukou here to compare with. Tenants keep relation TENANT (a value added in this same transaction cannot be written in it) and read as NON_RELATIVE with tenure RENTED.
UPDATE "residents" SET
	"residence_status" = CASE "population_type" WHEN 'REGISTERED' THEN 'RESIDENT_AND_REGISTERED'::"residence_status" WHEN 'FLOATING' THEN 'RESIDENT_NOT_REGISTERED'::"residence_status" END,
	"tenure" = CASE WHEN "relation_to_head" = 'TENANT' THEN 'RENTED'::"tenure" END;--> statement-breakpoint
-- The household column named the people living together: each becomes a household record (居住户), headed by its SELF member.
INSERT INTO "households" ("id", "kind", "basis", "head_resident_id", "grid_code", "house_code")
SELECT DISTINCT ON ("household_id") "household_id", 'FAMILY', 'RESIDENCE', CASE WHEN "relation_to_head" = 'SELF' THEN "id" END, "grid_code", "house_code"
FROM "residents" WHERE "household_id" IS NOT NULL
ORDER BY "household_id", ("relation_to_head" <> 'SELF'), "id";--> statement-breakpoint
-- Each key person's one category becomes their first special group, owned by the unit that owns it in practice, and the responsible officer their first officer.
INSERT INTO "key_person_categories" ("key_person_id", "category", "owning_unit", "since")
SELECT "id", "category", CASE "category"
	WHEN 'COMMUNITY_CORRECTION' THEN 'JUSTICE_OFFICE'::"owning_unit"
	WHEN 'RELEASED_PRISONER' THEN 'JUSTICE_OFFICE'::"owning_unit"
	WHEN 'SEVERE_MENTAL_DISORDER' THEN 'HEALTH'::"owning_unit"
	WHEN 'DRUG_USER' THEN 'NARCOTICS_CONTROL'::"owning_unit"
	WHEN 'KEY_YOUTH' THEN 'GOVERNANCE_CENTRE'::"owning_unit"
	ELSE 'POLICE_STATION'::"owning_unit" END, "since"
FROM "key_persons";--> statement-breakpoint
INSERT INTO "key_person_officers" ("key_person_id", "position", "name", "unit", "badge")
SELECT "id", 0, "officer_name", 'POLICE_STATION', "officer_badge" FROM "key_persons";
