CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE INDEX "offerings_status_title_idx" ON "courses"."offerings" USING btree ("status",lower("title"),"id");--> statement-breakpoint
CREATE INDEX "offerings_search_trgm_idx" ON "courses"."offerings" USING gin ("search_text" gin_trgm_ops);