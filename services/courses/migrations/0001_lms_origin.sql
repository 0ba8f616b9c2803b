ALTER TABLE "courses"."offerings" ADD COLUMN "origin" text DEFAULT 'network' NOT NULL;--> statement-breakpoint
ALTER TABLE "courses"."offerings" ADD COLUMN "lms_connection_id" uuid;--> statement-breakpoint
ALTER TABLE "courses"."offerings" ADD COLUMN "class_code" text;