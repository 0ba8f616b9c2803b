DROP INDEX "courses"."offerings_subjects_idx";--> statement-breakpoint
DROP INDEX "courses"."offerings_grades_idx";--> statement-breakpoint
DROP INDEX "courses"."offerings_search_trgm_idx";--> statement-breakpoint
CREATE INDEX "offerings_subjects_idx" ON "courses"."offerings" USING gin ("subjects") WITH (fastupdate=false);--> statement-breakpoint
CREATE INDEX "offerings_grades_idx" ON "courses"."offerings" USING gin ("grades") WITH (fastupdate=false);--> statement-breakpoint
CREATE INDEX "offerings_search_trgm_idx" ON "courses"."offerings" USING gin ("search_text" gin_trgm_ops) WITH (fastupdate=false);