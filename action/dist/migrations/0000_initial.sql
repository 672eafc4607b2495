CREATE TABLE "checks" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"release_id" text NOT NULL,
	"stage_index" integer NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"window_from" timestamp with time zone NOT NULL,
	"window_to" timestamp with time zone NOT NULL,
	"verdict" text NOT NULL,
	"note" text,
	"samples" jsonb NOT NULL,
	"results" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"release_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"type" text NOT NULL,
	"actor" text NOT NULL,
	"data" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "releases" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"target" jsonb NOT NULL,
	"stable" text NOT NULL,
	"candidate" text NOT NULL,
	"plan" jsonb NOT NULL,
	"state" text NOT NULL,
	"stage_index" integer NOT NULL,
	"stage_started_at" timestamp with time zone,
	"soak_served_seconds" double precision NOT NULL,
	"last_check_at" timestamp with time zone,
	"last_verdict" text,
	"consecutive_failures" integer NOT NULL,
	"paused_from" text,
	"next_run_at" timestamp with time zone,
	"reason" text,
	"applied_split" jsonb,
	"revision" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "checks" ADD CONSTRAINT "checks_release_id_releases_id_fk" FOREIGN KEY ("release_id") REFERENCES "public"."releases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_release_id_releases_id_fk" FOREIGN KEY ("release_id") REFERENCES "public"."releases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "checks_release" ON "checks" USING btree ("release_id","id");--> statement-breakpoint
CREATE INDEX "events_release" ON "events" USING btree ("release_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "releases_active_name" ON "releases" USING btree ("name") WHERE "releases"."finished_at" is null;--> statement-breakpoint
CREATE INDEX "releases_next_run_at" ON "releases" USING btree ("next_run_at");