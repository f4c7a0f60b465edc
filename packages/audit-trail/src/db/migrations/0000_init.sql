CREATE TYPE "public"."audit_event_type" AS ENUM('OPERATION', 'WRITE', 'TOKEN_REFUSED', 'REQUEST_REFUSED');--> statement-breakpoint
CREATE TYPE "public"."audit_outcome" AS ENUM('SUCCESS', 'PARTIAL', 'DENIED', 'ERROR');--> statement-breakpoint
CREATE TABLE "audit_records" (
	"seq" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_records_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"id" uuid NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"user_id" text,
	"role" text,
	"department" text,
	"purpose" text,
	"event_type" "audit_event_type" NOT NULL,
	"operation_name" text,
	"operation_hash" varchar(64),
	"variables" jsonb,
	"categories" text[] NOT NULL,
	"resident_ids" text[] NOT NULL,
	"outcome" "audit_outcome" NOT NULL,
	"error_codes" text[] NOT NULL,
	"previous_hash" varchar(64) NOT NULL,
	"hash" varchar(64) NOT NULL,
	CONSTRAINT "audit_records_id_unique" UNIQUE("id"),
	CONSTRAINT "audit_records_previous_hash_unique" UNIQUE("previous_hash"),
	CONSTRAINT "audit_records_hash_unique" UNIQUE("hash")
);
--> statement-breakpoint
CREATE TABLE "demo_seed" (
	"department" text PRIMARY KEY NOT NULL,
	"seed" integer NOT NULL,
	"residents" integer NOT NULL,
	"seeded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "audit_records_user_idx" ON "audit_records" USING btree ("user_id","seq");--> statement-breakpoint
CREATE INDEX "audit_records_event_type_idx" ON "audit_records" USING btree ("event_type","seq");--> statement-breakpoint
CREATE INDEX "audit_records_occurred_at_idx" ON "audit_records" USING btree ("occurred_at");--> statement-breakpoint
CREATE INDEX "audit_records_resident_ids_idx" ON "audit_records" USING gin ("resident_ids");