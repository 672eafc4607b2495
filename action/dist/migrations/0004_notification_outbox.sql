CREATE TABLE "outbox_cursors" (
	"name" text PRIMARY KEY NOT NULL,
	"event_id" bigint NOT NULL,
	"held_since" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "deliveries_channel" ON "deliveries" USING btree ("channel_id","id");