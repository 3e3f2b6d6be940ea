CREATE TABLE "sync_run_monthly_summaries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"connection_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"provider" text NOT NULL,
	"month" date NOT NULL,
	"kind" text NOT NULL,
	"runs" integer DEFAULT 0 NOT NULL,
	"succeeded" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"records_fetched" bigint DEFAULT 0 NOT NULL,
	"metrics_written" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sync_run_monthly_summaries_connection_month_kind_unique" UNIQUE("connection_id","month","kind")
);
--> statement-breakpoint
ALTER TABLE "connections" ADD COLUMN "backfilled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD COLUMN "scheduled_for" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD COLUMN "deadline_at" timestamp with time zone DEFAULT now() + interval '6 hours' NOT NULL;--> statement-breakpoint
ALTER TABLE "sync_run_monthly_summaries" ADD CONSTRAINT "sync_run_monthly_summaries_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_run_monthly_summaries" ADD CONSTRAINT "sync_run_monthly_summaries_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sync_run_monthly_summaries_user_id_index" ON "sync_run_monthly_summaries" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "connections_active_id_idx" ON "connections" USING btree ("id") WHERE status = 'active';--> statement-breakpoint
CREATE INDEX "connections_active_token_expiry_idx" ON "connections" USING btree ("token_expires_at","id") WHERE status = 'active' and token_expires_at is not null;--> statement-breakpoint
CREATE INDEX "sync_runs_created_at_index" ON "sync_runs" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "sync_runs_open_connection_idx" ON "sync_runs" USING btree ("connection_id") WHERE status in ('queued', 'running');--> statement-breakpoint
CREATE INDEX "sync_runs_open_deadline_idx" ON "sync_runs" USING btree ("deadline_at") WHERE status in ('queued', 'running');--> statement-breakpoint
-- Connections that have synced before this column existed are not backfilled again.
UPDATE "connections" SET "backfilled_at" = "last_synced_at" WHERE "last_synced_at" IS NOT NULL;