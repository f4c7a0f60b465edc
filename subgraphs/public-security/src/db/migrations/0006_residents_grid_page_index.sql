DROP INDEX "residents_grid_id_idx";--> statement-breakpoint
CREATE INDEX "residents_grid_id_idx" ON "residents" USING btree ("grid_code","id","sex","birth_date","population_type","residence_status");