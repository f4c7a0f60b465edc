-- Departments append to the trail too (a refused internal caller token, a notice a timer issued): two event types
-- and a nullable details column. Existing records keep details null, which the hash leaves out, so they still verify.
-- The new enum values are not used in this transaction (PostgreSQL forbids using a value added in the same one).
ALTER TYPE "public"."audit_event_type" ADD VALUE 'INTERNAL_TOKEN_REFUSED';--> statement-breakpoint
ALTER TYPE "public"."audit_event_type" ADD VALUE 'SYSTEM_WRITE';--> statement-breakpoint
ALTER TABLE "audit_records" ADD COLUMN "details" jsonb;