CREATE SCHEMA IF NOT EXISTS "courses";
--> statement-breakpoint
CREATE TABLE "courses"."credit_decisions" (
	"enrollment_id" uuid PRIMARY KEY NOT NULL,
	"decision" text NOT NULL,
	"subject" text,
	"hours" numeric,
	"note" text,
	"decided_by" text NOT NULL,
	"decided_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "courses"."enrollment_steps" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"enrollment_id" uuid NOT NULL,
	"action" text NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"actor_id" text NOT NULL,
	"reason" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "courses"."enrollments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"offering_id" uuid NOT NULL,
	"student_id" uuid NOT NULL,
	"home_school_id" uuid,
	"status" text NOT NULL,
	"seq" bigserial NOT NULL,
	"needs_consent" boolean NOT NULL,
	"reason" text,
	"mark" text,
	"result_hours" numeric,
	"passed" boolean,
	"certificate_number" text,
	"requested_by" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "courses"."idempotency_keys" (
	"actor" text NOT NULL,
	"key" text NOT NULL,
	"route" text NOT NULL,
	"status" smallint NOT NULL,
	"body" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_actor_key_pk" PRIMARY KEY("actor","key")
);
--> statement-breakpoint
CREATE TABLE "courses"."inbox" (
	"event_id" uuid NOT NULL,
	"consumer_group" text NOT NULL,
	"processed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inbox_pk" PRIMARY KEY("consumer_group","event_id")
);
--> statement-breakpoint
CREATE TABLE "courses"."offerings" (
	"id" uuid PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"kind" text NOT NULL,
	"provider_id" uuid NOT NULL,
	"teacher_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"subjects" text[] NOT NULL,
	"grades" smallint[] NOT NULL,
	"level" text DEFAULT 'basic' NOT NULL,
	"hours" integer,
	"format" text NOT NULL,
	"platform_url" text,
	"term_start" date,
	"term_end" date,
	"schedule" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"place" text,
	"capacity" integer NOT NULL,
	"school_quota" integer,
	"prerequisites" text,
	"assessment_form" text,
	"document_issued" text,
	"agreement_ref" text,
	"audience" text DEFAULT 'students' NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"enrolled_count" integer DEFAULT 0 NOT NULL,
	"search_text" text DEFAULT '' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by" text,
	"published_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "courses"."organisation_view" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"short_name" text,
	"kind" text NOT NULL,
	"is_hub" boolean NOT NULL,
	"status" text NOT NULL,
	"version" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "courses"."outbox" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"id" uuid NOT NULL,
	"type" text NOT NULL,
	"source" text NOT NULL,
	"subject" text,
	"time" timestamp with time zone NOT NULL,
	"data" jsonb NOT NULL,
	"traceparent" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	CONSTRAINT "outbox_id_unique" UNIQUE("id")
);
--> statement-breakpoint
CREATE TABLE "courses"."person_view" (
	"id" uuid PRIMARY KEY NOT NULL,
	"given_name" text NOT NULL,
	"family_name" text NOT NULL,
	"middle_name" text,
	"birth_date" date,
	"roles" jsonb NOT NULL,
	"home_school_id" uuid,
	"status" text NOT NULL,
	"version" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "courses"."route_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"route_id" uuid NOT NULL,
	"route_version" integer NOT NULL,
	"action" text NOT NULL,
	"status" text NOT NULL,
	"snapshot" jsonb NOT NULL,
	"actor_id" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "courses"."route_items" (
	"id" uuid PRIMARY KEY NOT NULL,
	"route_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"enrollment_id" uuid,
	"provider_id" uuid,
	"title" text NOT NULL,
	"subject" text NOT NULL,
	"level" text DEFAULT 'basic' NOT NULL,
	"hours" numeric NOT NULL,
	"topic" text,
	"supervisor" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "courses"."routes" (
	"id" uuid PRIMARY KEY NOT NULL,
	"student_id" uuid NOT NULL,
	"home_school_id" uuid NOT NULL,
	"academic_year" text NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"route_version" integer DEFAULT 1 NOT NULL,
	"goals" text,
	"mentor_id" uuid,
	"individual_project" jsonb,
	"order_number" text,
	"order_date" date,
	"approved_by" text,
	"approved_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "courses"."credit_decisions" ADD CONSTRAINT "credit_decisions_enrollment_id_enrollments_id_fk" FOREIGN KEY ("enrollment_id") REFERENCES "courses"."enrollments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "courses"."enrollment_steps" ADD CONSTRAINT "enrollment_steps_enrollment_id_enrollments_id_fk" FOREIGN KEY ("enrollment_id") REFERENCES "courses"."enrollments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "courses"."enrollments" ADD CONSTRAINT "enrollments_offering_id_offerings_id_fk" FOREIGN KEY ("offering_id") REFERENCES "courses"."offerings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "courses"."route_history" ADD CONSTRAINT "route_history_route_id_routes_id_fk" FOREIGN KEY ("route_id") REFERENCES "courses"."routes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "courses"."route_items" ADD CONSTRAINT "route_items_route_id_routes_id_fk" FOREIGN KEY ("route_id") REFERENCES "courses"."routes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "enrollment_steps_enrollment_idx" ON "courses"."enrollment_steps" USING btree ("enrollment_id");--> statement-breakpoint
CREATE INDEX "enrollments_offering_status_idx" ON "courses"."enrollments" USING btree ("offering_id","status","seq");--> statement-breakpoint
CREATE INDEX "enrollments_student_idx" ON "courses"."enrollments" USING btree ("student_id");--> statement-breakpoint
CREATE INDEX "enrollments_home_school_idx" ON "courses"."enrollments" USING btree ("home_school_id");--> statement-breakpoint
CREATE INDEX "offerings_status_idx" ON "courses"."offerings" USING btree ("status","id");--> statement-breakpoint
CREATE INDEX "offerings_provider_idx" ON "courses"."offerings" USING btree ("provider_id");--> statement-breakpoint
CREATE INDEX "offerings_subjects_idx" ON "courses"."offerings" USING gin ("subjects");--> statement-breakpoint
CREATE INDEX "offerings_grades_idx" ON "courses"."offerings" USING gin ("grades");--> statement-breakpoint
CREATE INDEX "outbox_unsent_idx" ON "courses"."outbox" USING btree ("seq") WHERE sent_at is null;--> statement-breakpoint
CREATE INDEX "person_view_home_school_idx" ON "courses"."person_view" USING btree ("home_school_id");--> statement-breakpoint
CREATE INDEX "route_history_route_idx" ON "courses"."route_history" USING btree ("route_id");--> statement-breakpoint
CREATE INDEX "route_items_route_idx" ON "courses"."route_items" USING btree ("route_id");--> statement-breakpoint
CREATE UNIQUE INDEX "routes_student_year_idx" ON "courses"."routes" USING btree ("student_id","academic_year");