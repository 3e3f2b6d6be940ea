import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import { encryptedText } from "./encrypted-text";

/* One schema for the app. Every upsert key is an explicit unique constraint. */

const timestamps = {
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp({ withTimezone: true })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date()),
};

export const users = pgTable("users", {
  id: uuid().primaryKey().defaultRandom(),
  /** Stored lower-cased; sign-in compares lower-cased. */
  email: text().notNull().unique(),
  passwordHash: text().notNull(),
  /** Bumped by "sign out everywhere" and a password change: sessions carrying an older value end. */
  sessionVersion: integer().notNull().default(0),
  ...timestamps,
});

/**
 * `active`: tokens work. `disconnected`: the provider refused our tokens (refresh failed, access
 * revoked on the provider side) and the user must Reconnect. `revoked`: the user disconnected here.
 * History (daily_metrics) is kept in every state.
 */
export const CONNECTION_STATUSES = ["active", "disconnected", "revoked"] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

export const connections = pgTable(
  "connections",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    provider: text().notNull(),
    status: text({ enum: CONNECTION_STATUSES }).notNull().default("active"),
    /** The provider's id for the user (Oura personal_info id, Whoop user_id, Withings userid…). */
    providerUserId: text(),
    scopes: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    accessToken: encryptedText(),
    refreshToken: encryptedText(),
    /** Provider-specific session material (Garmin OAuth1 pair, …), JSON, encrypted. */
    sessionSecrets: encryptedText(),
    tokenExpiresAt: timestamp({ withTimezone: true }),
    /** Incremented on every token write; refreshes compare-and-swap on it so two workers never both rotate. */
    tokenVersion: integer().notNull().default(0),
    /** Lease taken while one worker refreshes tokens (single-use refresh tokens must not be spent twice). */
    refreshLockedUntil: timestamp({ withTimezone: true }),
    /** Who holds the refresh lease (random per attempt): only the holder may renew it or write tokens. */
    refreshLeaseHolder: text(),
    /**
     * Collections the provider refused (HTTP 403 / not authorised) with a short reason, by collection
     * id. The rest of the connection keeps syncing; a reconnect clears it.
     */
    unavailableCollections: jsonb().$type<Record<string, string>>().notNull().default({}),
    connectedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastSyncedAt: timestamp({ withTimezone: true }),
    lastError: text(),
    lastErrorAt: timestamp({ withTimezone: true }),
    /**
     * When the connect-time backfill last completed; null until it has (or after a reconnect), so
     * the poll planner queues a backfill for a connection whose backfill was never delivered.
     */
    backfilledAt: timestamp({ withTimezone: true }),
    /**
     * SHA-256 of the unguessable per-connection token in the callback URL of providers whose
     * notifications are not signed (Withings). Never the token itself.
     */
    webhookTokenHash: text(),
    /** When the provider last notified us about this connection (webhook silence fallback). */
    lastWebhookAt: timestamp({ withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    unique("connections_user_provider_unique").on(t.userId, t.provider),
    unique("connections_webhook_token_hash_unique").on(t.webhookTokenHash),
    // Signed webhooks name the provider's user id: one probe per notification.
    index("connections_provider_user_idx").on(t.provider, t.providerUserId),
    index().on(t.status),
    // Keyset pages of active connections (poll planning) and of expiring tokens (refresh planning).
    index("connections_active_id_idx")
      .on(t.id)
      .where(sql`status = 'active'`),
    index("connections_active_token_expiry_idx")
      .on(t.tokenExpiresAt, t.id)
      .where(sql`status = 'active' and token_expires_at is not null`),
  ],
);

/** One-time OAuth states: only the SHA-256 of the state is stored. */
export const oauthStates = pgTable(
  "oauth_states",
  {
    stateHash: text().primaryKey(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    provider: text().notNull(),
    /** Same-origin path to return to after the callback. */
    redirectPath: text().notNull(),
    codeVerifier: encryptedText(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.userId), index().on(t.expiresAt)],
);

export const dailyMetrics = pgTable(
  "daily_metrics",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    provider: text().notNull(),
    metric: text().notNull(),
    /** The user's local calendar day as the provider reports it (sleep belongs to the morning it ends). */
    day: date({ mode: "string" }).notNull(),
    value: doublePrecision().notNull(),
    unit: text().notNull(),
    ...timestamps,
  },
  (t) => [
    unique("daily_metrics_user_provider_metric_day_unique").on(t.userId, t.provider, t.metric, t.day),
    index().on(t.userId, t.metric, t.day),
  ],
);

export const SYNC_KINDS = ["backfill", "poll", "webhook", "manual"] as const;
export type SyncKind = (typeof SYNC_KINDS)[number];
export const SYNC_STATUSES = ["queued", "running", "succeeded", "failed"] as const;
export type SyncStatus = (typeof SYNC_STATUSES)[number];

export const syncRuns = pgTable(
  "sync_runs",
  {
    id: uuid().primaryKey().defaultRandom(),
    connectionId: uuid()
      .notNull()
      .references(() => connections.id, { onDelete: "cascade" }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    provider: text().notNull(),
    kind: text({ enum: SYNC_KINDS }).notNull(),
    status: text({ enum: SYNC_STATUSES }).notNull().default("queued"),
    rangeStart: date({ mode: "string" }),
    rangeEnd: date({ mode: "string" }),
    /** 0–100, by collections completed. */
    progress: integer().notNull().default(0),
    recordsFetched: integer().notNull().default(0),
    metricsWritten: integer().notNull().default(0),
    error: text(),
    startedAt: timestamp({ withTimezone: true }),
    finishedAt: timestamp({ withTimezone: true }),
    /** When the run's job is due (polls are spread over the polling window); null means at once. */
    scheduledFor: timestamp({ withTimezone: true }),
    /** A queued or running run still open after this is reaped (failed), so its connection is polled again. */
    deadlineAt: timestamp({ withTimezone: true })
      .notNull()
      .default(sql`now() + interval '6 hours'`),
    ...timestamps,
  },
  (t) => [
    index().on(t.connectionId, t.createdAt),
    index().on(t.userId),
    index().on(t.createdAt),
    // Small partial indexes: open runs are few, whatever the history holds.
    index("sync_runs_open_connection_idx")
      .on(t.connectionId)
      .where(sql`status in ('queued', 'running')`),
    index("sync_runs_open_deadline_idx")
      .on(t.deadlineAt)
      .where(sql`status in ('queued', 'running')`),
  ],
);

/**
 * Sync runs older than the retention period, counted per connection, calendar month (UTC) and
 * kind before they are deleted, so a history can still say "312 polls in October, 2 failed".
 */
export const syncRunMonthlySummaries = pgTable(
  "sync_run_monthly_summaries",
  {
    id: uuid().primaryKey().defaultRandom(),
    connectionId: uuid()
      .notNull()
      .references(() => connections.id, { onDelete: "cascade" }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    provider: text().notNull(),
    /** First day of the month. */
    month: date({ mode: "string" }).notNull(),
    kind: text({ enum: SYNC_KINDS }).notNull(),
    runs: integer().notNull().default(0),
    succeeded: integer().notNull().default(0),
    failed: integer().notNull().default(0),
    recordsFetched: bigint({ mode: "number" }).notNull().default(0),
    metricsWritten: bigint({ mode: "number" }).notNull().default(0),
    ...timestamps,
  },
  (t) => [
    unique("sync_run_monthly_summaries_connection_month_kind_unique").on(t.connectionId, t.month, t.kind),
    index().on(t.userId),
  ],
);

/**
 * Provider records that exist but are not scored yet (Whoop `PENDING_SCORE`): remembered so a
 * later sync fetches them again instead of losing them.
 */
export const pendingRecords = pgTable(
  "pending_records",
  {
    id: uuid().primaryKey().defaultRandom(),
    connectionId: uuid()
      .notNull()
      .references(() => connections.id, { onDelete: "cascade" }),
    collection: text().notNull(),
    externalId: text().notNull(),
    day: date({ mode: "string" }),
    state: text().notNull(),
    ...timestamps,
  },
  (t) => [
    unique("pending_records_connection_collection_external_unique").on(t.connectionId, t.collection, t.externalId),
  ],
);

/* ---- Per-user dashboard preferences ---- */

export const UNIT_SYSTEMS = ["metric", "imperial"] as const;
export type UnitSystem = (typeof UNIT_SYSTEMS)[number];

/** One row per user; a null unit system follows the browser's locale. */
export const userPreferences = pgTable("user_preferences", {
  userId: uuid()
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  unitSystem: text({ enum: UNIT_SYSTEMS }),
  /** IANA time zone ("Europe/Paris") for the user's days and labels; null follows the browser. */
  timeZone: text(),
  ...timestamps,
});

/** A user's own source order for one metric (provider ids, best first); no row = the documented default. */
export const metricSourcePriorities = pgTable(
  "metric_source_priorities",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    metric: text().notNull(),
    providers: text().array().notNull(),
    ...timestamps,
  },
  (t) => [unique("metric_source_priorities_user_metric_unique").on(t.userId, t.metric)],
);

/**
 * A provider whose token endpoint refused our client credentials (`invalid_client` /
 * `unauthorized_client`): an operator problem, not the users'. Refreshes for the provider pause
 * while the same credentials are configured (compared by fingerprint) until `retryAt`; a changed
 * configuration or the retry time resumes them. The Accounts page shows a provider-level warning.
 */
export const providerCredentialFailures = pgTable("provider_credential_failures", {
  provider: text().primaryKey(),
  /** SHA-256 (truncated) of the client id and secret that failed; never the secret itself. */
  clientFingerprint: text().notNull(),
  errorCode: text().notNull(),
  failures: integer().notNull().default(1),
  failedAt: timestamp({ withTimezone: true }).notNull(),
  retryAt: timestamp({ withTimezone: true }).notNull(),
});

/* ---- Webhooks ---- */

export const WEBHOOK_INBOX_STATUSES = ["pending", "processed", "ignored", "failed"] as const;
export type WebhookInboxStatus = (typeof WEBHOOK_INBOX_STATUSES)[number];

/**
 * Verified provider notifications, written before the provider gets its 2xx. `eventKey` is the
 * provider's event identity (Oura event_type+data_type+object_id+event_time, WHOOP
 * type+id+trace_id, Withings userid+appli+startdate+enddate), so redeliveries collapse into one row.
 * Only the parsed notification fields are kept, never headers or signatures.
 */
export const webhookInbox = pgTable(
  "webhook_inbox",
  {
    id: uuid().primaryKey().defaultRandom(),
    provider: text().notNull(),
    eventKey: text().notNull(),
    /** The provider's id for the user, as notified. */
    providerUserId: text(),
    /** Resolved at receipt when known; null for unknown users (acknowledged and counted). */
    connectionId: uuid().references(() => connections.id, { onDelete: "cascade" }),
    notification: jsonb().notNull(),
    status: text({ enum: WEBHOOK_INBOX_STATUSES }).notNull().default("pending"),
    attempts: integer().notNull().default(0),
    /** Duplicate deliveries of the same event (acknowledged, not processed again). */
    duplicates: integer().notNull().default(0),
    error: text(),
    receivedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    unique("webhook_inbox_provider_event_key_unique").on(t.provider, t.eventKey),
    index("webhook_inbox_pending_idx")
      .on(t.receivedAt)
      .where(sql`status = 'pending'`),
    index().on(t.connectionId),
  ],
);

/**
 * Webhook requests we refused or acknowledged without work (forged, stale, malformed, oversized,
 * unknown user, disconnected connection), counted per provider, reason and UTC day. No body.
 */
export const webhookCounters = pgTable(
  "webhook_counters",
  {
    provider: text().notNull(),
    reason: text().notNull(),
    day: date({ mode: "string" }).notNull(),
    count: bigint({ mode: "number" }).notNull().default(0),
  },
  (t) => [unique("webhook_counters_provider_reason_day_unique").on(t.provider, t.reason, t.day)],
);

/**
 * Our subscriptions at a provider. App-level ones (Oura: one per data type and event type) have
 * `scope` "app"; per-connection ones (Withings: one per `appli`) have the connection id as scope.
 */
export const webhookSubscriptions = pgTable(
  "webhook_subscriptions",
  {
    id: uuid().primaryKey().defaultRandom(),
    provider: text().notNull(),
    /** "app", or the connection id. */
    scope: text().notNull(),
    connectionId: uuid().references(() => connections.id, { onDelete: "cascade" }),
    /** What is subscribed: "daily_sleep:create" (Oura), "44" (Withings appli). */
    topic: text().notNull(),
    /** The provider's subscription id, where it has one. */
    externalId: text(),
    callbackUrl: text().notNull(),
    expiresAt: timestamp({ withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    unique("webhook_subscriptions_provider_scope_topic_unique").on(t.provider, t.scope, t.topic),
    index().on(t.connectionId),
    index().on(t.expiresAt),
  ],
);

/* ---- Sandbox provider state (only used while a provider runs on its local sandbox) ---- */

export const sandboxAuthCodes = pgTable("sandbox_auth_codes", {
  codeHash: text().primaryKey(),
  provider: text().notNull(),
  accountId: text().notNull(),
  clientId: text().notNull(),
  redirectUri: text().notNull(),
  scopes: text().array().notNull(),
  codeChallenge: text(),
  expiresAt: timestamp({ withTimezone: true }).notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export const sandboxTokens = pgTable(
  "sandbox_tokens",
  {
    tokenHash: text().primaryKey(),
    provider: text().notNull(),
    kind: text({ enum: ["access", "refresh"] }).notNull(),
    accountId: text().notNull(),
    clientId: text().notNull(),
    scopes: text().array().notNull(),
    expiresAt: timestamp({ withTimezone: true }),
    /** Set when a refresh token is used (rotation) or a grant is revoked. */
    revokedAt: timestamp({ withTimezone: true }),
    /** Rotated refresh tokens stay usable until this instant (Withings grace period). */
    graceUntil: timestamp({ withTimezone: true }),
    familyId: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.provider, t.familyId)],
);

export const sandboxRateLimits = pgTable(
  "sandbox_rate_limits",
  {
    key: text().notNull(),
    windowStart: timestamp({ withTimezone: true }).notNull(),
    count: integer().notNull().default(0),
  },
  (t) => [unique("sandbox_rate_limits_key_window_unique").on(t.key, t.windowStart)],
);

/**
 * Test and development controls of one provider sandbox (clock offset, token lifetimes, injected
 * faults), in the database so every app instance serving the sandbox sees the same state.
 */
export const sandboxControls = pgTable("sandbox_controls", {
  provider: text().primaryKey(),
  state: jsonb().notNull().default({}),
  updatedAt: timestamp({ withTimezone: true })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date()),
});

/** Sandbox accounts that sign in with a password (Garmin); the data is generated from the id. */
export const sandboxSessions = pgTable("sandbox_sessions", {
  id: text().primaryKey(),
  provider: text().notNull(),
  accountId: text().notNull(),
  kind: text().notNull(),
  payload: jsonb().notNull().default({}),
  expiresAt: timestamp({ withTimezone: true }).notNull(),
  consumed: boolean().notNull().default(false),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/**
 * A sign-in that is waiting for a second step (Garmin MFA). Holds the provider's half-finished
 * session context, encrypted; never the password. Lives 5 minutes and is consumed once.
 */
export const loginChallenges = pgTable(
  "login_challenges",
  {
    idHash: text().primaryKey(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    provider: text().notNull(),
    context: encryptedText().notNull(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.userId)],
);

/**
 * Attempt counters of the sign-in, sign-up and Garmin limits (rate-limiter-flexible's Drizzle
 * store: it upserts on `key` in one statement, so every app instance shares the same counts).
 * `key` is "<limiter>:<sha256 of the email or address>", never the email or address itself.
 */
export const rateLimits = pgTable(
  "rate_limits",
  {
    key: text().primaryKey(),
    points: integer().notNull().default(0),
    /** End of the current window; the counter starts again after it. */
    expire: timestamp({ withTimezone: true }),
  },
  (t) => [index().on(t.expire)],
);

/**
 * Sandbox side of webhooks: subscriptions the app registered at a sandbox (Oura app-level with a
 * verification token and expiry; Withings per account and appli) and the configured endpoint of
 * providers that configure it in a developer dashboard (WHOOP).
 */
export const sandboxWebhookSubscriptions = pgTable(
  "sandbox_webhook_subscriptions",
  {
    id: text().primaryKey(),
    provider: text().notNull(),
    clientId: text().notNull(),
    /** Null for app-level subscriptions. */
    accountId: text(),
    callbackUrl: text().notNull(),
    /** Oura "daily_sleep:create", Withings appli "44". */
    topic: text().notNull(),
    verificationToken: text(),
    expiresAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("sandbox_webhook_subscriptions_unique")
      .on(t.provider, t.clientId, t.accountId, t.callbackUrl, t.topic)
      .nullsNotDistinct(),
  ],
);

/** Notifications a sandbox owes the app, retried with the provider's backoff until delivered or dropped. */
export const sandboxWebhookDeliveries = pgTable(
  "sandbox_webhook_deliveries",
  {
    id: uuid().primaryKey().defaultRandom(),
    provider: text().notNull(),
    url: text().notNull(),
    method: text().notNull().default("POST"),
    headers: jsonb().$type<Record<string, string>>().notNull().default({}),
    body: text().notNull(),
    attempts: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastStatus: integer(),
    deliveredAt: timestamp({ withTimezone: true }),
    droppedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("sandbox_webhook_deliveries_due_idx")
      .on(t.nextAttemptAt)
      .where(sql`delivered_at is null and dropped_at is null`),
  ],
);

/** Days a sandbox account has "uploaded" beyond what its clock generates (the new-day control). */
export const sandboxUploads = pgTable(
  "sandbox_uploads",
  {
    provider: text().notNull(),
    accountId: text().notNull(),
    day: date({ mode: "string" }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique("sandbox_uploads_provider_account_day_unique").on(t.provider, t.accountId, t.day)],
);
