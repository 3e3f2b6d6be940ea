CREATE TABLE "sandbox_uploads" (
	"provider" text NOT NULL,
	"account_id" text NOT NULL,
	"day" date NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sandbox_uploads_provider_account_day_unique" UNIQUE("provider","account_id","day")
);
--> statement-breakpoint
CREATE TABLE "sandbox_webhook_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"provider" text NOT NULL,
	"url" text NOT NULL,
	"method" text DEFAULT 'POST' NOT NULL,
	"headers" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"body" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_status" integer,
	"delivered_at" timestamp with time zone,
	"dropped_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sandbox_webhook_subscriptions" (
	"id" text PRIMARY KEY NOT NULL,
	"provider" text NOT NULL,
	"client_id" text NOT NULL,
	"account_id" text,
	"callback_url" text NOT NULL,
	"topic" text NOT NULL,
	"verification_token" text,
	"expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sandbox_webhook_subscriptions_unique" UNIQUE NULLS NOT DISTINCT("provider","client_id","account_id","callback_url","topic")
);
--> statement-breakpoint
CREATE TABLE "webhook_counters" (
	"provider" text NOT NULL,
	"reason" text NOT NULL,
	"day" date NOT NULL,
	"count" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "webhook_counters_provider_reason_day_unique" UNIQUE("provider","reason","day")
);
--> statement-breakpoint
CREATE TABLE "webhook_inbox" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"provider" text NOT NULL,
	"event_key" text NOT NULL,
	"provider_user_id" text,
	"connection_id" uuid,
	"notification" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"duplicates" integer DEFAULT 0 NOT NULL,
	"error" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone,
	CONSTRAINT "webhook_inbox_provider_event_key_unique" UNIQUE("provider","event_key")
);
--> statement-breakpoint
CREATE TABLE "webhook_subscriptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"provider" text NOT NULL,
	"scope" text NOT NULL,
	"connection_id" uuid,
	"topic" text NOT NULL,
	"external_id" text,
	"callback_url" text NOT NULL,
	"expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "webhook_subscriptions_provider_scope_topic_unique" UNIQUE("provider","scope","topic")
);
--> statement-breakpoint
ALTER TABLE "connections" ADD COLUMN "webhook_token_hash" text;--> statement-breakpoint
ALTER TABLE "connections" ADD COLUMN "last_webhook_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "user_preferences" ADD COLUMN "time_zone" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "session_version" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "webhook_inbox" ADD CONSTRAINT "webhook_inbox_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_subscriptions" ADD CONSTRAINT "webhook_subscriptions_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sandbox_webhook_deliveries_due_idx" ON "sandbox_webhook_deliveries" USING btree ("next_attempt_at") WHERE delivered_at is null and dropped_at is null;--> statement-breakpoint
CREATE INDEX "webhook_inbox_pending_idx" ON "webhook_inbox" USING btree ("received_at") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "webhook_inbox_connection_id_index" ON "webhook_inbox" USING btree ("connection_id");--> statement-breakpoint
CREATE INDEX "webhook_subscriptions_connection_id_index" ON "webhook_subscriptions" USING btree ("connection_id");--> statement-breakpoint
CREATE INDEX "webhook_subscriptions_expires_at_index" ON "webhook_subscriptions" USING btree ("expires_at");--> statement-breakpoint
ALTER TABLE "connections" ADD CONSTRAINT "connections_webhook_token_hash_unique" UNIQUE("webhook_token_hash");