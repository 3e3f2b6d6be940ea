CREATE TABLE "provider_credential_failures" (
	"provider" text PRIMARY KEY NOT NULL,
	"client_fingerprint" text NOT NULL,
	"error_code" text NOT NULL,
	"failures" integer DEFAULT 1 NOT NULL,
	"failed_at" timestamp with time zone NOT NULL,
	"retry_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sandbox_controls" (
	"provider" text PRIMARY KEY NOT NULL,
	"state" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "connections" ADD COLUMN "refresh_lease_holder" text;--> statement-breakpoint
ALTER TABLE "connections" ADD COLUMN "unavailable_collections" jsonb DEFAULT '{}'::jsonb NOT NULL;