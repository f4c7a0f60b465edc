ALTER TYPE "public"."organization_kind" ADD VALUE IF NOT EXISTS 'COMMUNITY_ORGANIZATION';--> statement-breakpoint
ALTER TYPE "public"."organization_kind" ADD VALUE IF NOT EXISTS 'ENTERPRISE';--> statement-breakpoint
ALTER TYPE "public"."organization_kind" ADD VALUE IF NOT EXISTS 'INDIVIDUAL_BUSINESS';--> statement-breakpoint
ALTER TYPE "public"."organization_kind" ADD VALUE IF NOT EXISTS 'SCHOOL';--> statement-breakpoint
ALTER TYPE "public"."organization_kind" ADD VALUE IF NOT EXISTS 'CLINIC';--> statement-breakpoint
ALTER TYPE "public"."registering_department" ADD VALUE IF NOT EXISTS 'MARKET_REGULATION';--> statement-breakpoint
ALTER TYPE "public"."registering_department" ADD VALUE IF NOT EXISTS 'EDUCATION';--> statement-breakpoint
ALTER TYPE "public"."registering_department" ADD VALUE IF NOT EXISTS 'HEALTH';