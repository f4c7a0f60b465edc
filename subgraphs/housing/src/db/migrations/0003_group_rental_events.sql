CREATE TYPE "public"."group_rental_action" AS ENUM('IDENTIFY', 'INTERVIEW', 'RECTIFY', 'REINSPECT');--> statement-breakpoint
CREATE TABLE "group_rental_events" (
	"sequence" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "group_rental_events_sequence_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"group_rental_id" varchar(20) NOT NULL,
	"grid_code" varchar(15) NOT NULL,
	"action" "group_rental_action" NOT NULL,
	"from_status" "group_rental_status",
	"to_status" "group_rental_status" NOT NULL,
	"occurred_on" date NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor_user_id" text,
	"actor_role" text,
	"actor_department" text,
	"note" text,
	"inspection_id" varchar(22),
	"idempotency_key" text,
	"request_hash" text
);
--> statement-breakpoint
ALTER TABLE "group_rental_events" ADD CONSTRAINT "group_rental_events_group_rental_id_group_rentals_id_fk" FOREIGN KEY ("group_rental_id") REFERENCES "public"."group_rentals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "group_rental_events" ADD CONSTRAINT "group_rental_events_inspection_id_group_rental_inspections_id_fk" FOREIGN KEY ("inspection_id") REFERENCES "public"."group_rental_inspections"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "group_rental_events_grid_idx" ON "group_rental_events" USING btree ("grid_code","sequence");--> statement-breakpoint
CREATE INDEX "group_rental_events_rental_idx" ON "group_rental_events" USING btree ("group_rental_id","sequence");--> statement-breakpoint
CREATE UNIQUE INDEX "group_rental_events_key_idx" ON "group_rental_events" USING btree ("actor_user_id","idempotency_key");--> statement-breakpoint
-- The feed starts complete: every group rental on the register gets its IDENTIFY event at its recorded stage, dated by
-- the last stage it reached (src/remediation/feed.ts, startingEvent, writes the same for the demo's rentals).
INSERT INTO "group_rental_events" ("group_rental_id", "grid_code", "action", "from_status", "to_status", "occurred_on", "at")
SELECT g."id", g."grid_code", 'IDENTIFY', NULL, g."status", reached."day", reached."day"::timestamp AT TIME ZONE 'Asia/Shanghai'
FROM "group_rentals" g
CROSS JOIN LATERAL (
  SELECT COALESCE(
    CASE g."status"
      WHEN 'IDENTIFIED' THEN NULL
      WHEN 'INTERVIEWED' THEN g."interviewed_on"
      ELSE COALESCE((SELECT max(i."inspected_on") FROM "group_rental_inspections" i WHERE i."group_rental_id" = g."id"), g."rectified_on")
    END,
    g."identified_on"
  ) AS "day"
) reached
ORDER BY g."id";
