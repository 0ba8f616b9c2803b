CREATE TABLE "registry"."password_change_failures" (
	"person_id" uuid NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "registry"."password_change_failures" ADD CONSTRAINT "password_change_failures_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "registry"."people"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "password_change_failures_person_idx" ON "registry"."password_change_failures" USING btree ("person_id","at");