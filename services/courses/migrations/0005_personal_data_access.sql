CREATE TABLE "courses"."personal_data_access" (
	"id" uuid PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_id" text NOT NULL,
	"actor_kind" text NOT NULL,
	"action" text NOT NULL,
	"person_ids" uuid[] NOT NULL,
	"request_id" text
);
--> statement-breakpoint
CREATE INDEX "personal_data_access_person_ids_idx" ON "courses"."personal_data_access" USING gin ("person_ids");--> statement-breakpoint
CREATE INDEX "personal_data_access_actor_idx" ON "courses"."personal_data_access" USING btree ("actor_id","id");