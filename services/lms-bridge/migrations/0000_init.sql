CREATE SCHEMA IF NOT EXISTS "lms_bridge";
--> statement-breakpoint
CREATE TABLE "lms_bridge"."connections" (
	"id" uuid PRIMARY KEY NOT NULL,
	"organisation_id" uuid NOT NULL,
	"connector_id" text NOT NULL,
	"name" text NOT NULL,
	"settings" jsonb NOT NULL,
	"secrets_sealed" text,
	"status" text DEFAULT 'active' NOT NULL,
	"schedule_minutes" integer,
	"webhook_token_hash" text,
	"last_run_at" timestamp with time zone,
	"last_error" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "lms_bridge"."inbox" (
	"event_id" uuid NOT NULL,
	"consumer_group" text NOT NULL,
	"processed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inbox_pk" PRIMARY KEY("consumer_group","event_id")
);
--> statement-breakpoint
CREATE TABLE "lms_bridge"."mappings" (
	"connection_id" uuid NOT NULL,
	"entity" text NOT NULL,
	"source_id" text NOT NULL,
	"network_id" uuid NOT NULL,
	"fingerprint" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"last_seen_run" uuid NOT NULL,
	"detail" jsonb,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mappings_connection_id_entity_source_id_pk" PRIMARY KEY("connection_id","entity","source_id")
);
--> statement-breakpoint
CREATE TABLE "lms_bridge"."outbox" (
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
CREATE TABLE "lms_bridge"."person_view" (
	"id" uuid PRIMARY KEY NOT NULL,
	"given_name" text NOT NULL,
	"family_name" text NOT NULL,
	"birth_date" text,
	"email_hash" text,
	"organisation_ids" uuid[] NOT NULL,
	"version" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lms_bridge"."pushes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"connection_id" uuid NOT NULL,
	"enrollment_id" uuid NOT NULL,
	"action" text NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lms_bridge"."runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"connection_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"trigger" text NOT NULL,
	"upload_id" uuid,
	"status" text DEFAULT 'queued' NOT NULL,
	"counts" jsonb DEFAULT '{"created":0,"updated":0,"deactivated":0,"unchanged":0,"failed":0}'::jsonb NOT NULL,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"checkpoint" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"error" text,
	"heartbeat_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "lms_bridge"."uploads" (
	"id" uuid PRIMARY KEY NOT NULL,
	"connection_id" uuid NOT NULL,
	"data" "bytea" NOT NULL,
	"size" integer NOT NULL,
	"sha256" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "connections_org_idx" ON "lms_bridge"."connections" USING btree ("organisation_id");--> statement-breakpoint
CREATE INDEX "mappings_network_idx" ON "lms_bridge"."mappings" USING btree ("entity","network_id");--> statement-breakpoint
CREATE INDEX "outbox_unsent_idx" ON "lms_bridge"."outbox" USING btree ("seq") WHERE sent_at is null;--> statement-breakpoint
CREATE INDEX "person_view_email_idx" ON "lms_bridge"."person_view" USING btree ("email_hash");--> statement-breakpoint
CREATE INDEX "person_view_name_idx" ON "lms_bridge"."person_view" USING btree ("family_name","given_name");--> statement-breakpoint
CREATE INDEX "pushes_connection_idx" ON "lms_bridge"."pushes" USING btree ("connection_id");--> statement-breakpoint
CREATE INDEX "runs_status_idx" ON "lms_bridge"."runs" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "runs_connection_idx" ON "lms_bridge"."runs" USING btree ("connection_id","created_at");