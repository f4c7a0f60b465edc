DROP INDEX "houses_grid_idx";--> statement-breakpoint
CREATE INDEX "houses_grid_use_idx" ON "houses" USING btree ("grid_code","use");