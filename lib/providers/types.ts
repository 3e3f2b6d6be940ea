import type { MetricName } from "@/lib/metrics/vocabulary";
import type { RevokeContext } from "./revoke";

/**
 * A provider is one declarative module (like an Auth.js provider): identity, how the user
 * connects, endpoints, scopes, token-request quirks, how to page through data and how each
 * payload maps into our metric vocabulary. The sync engine, OAuth engine, routes and the Accounts
 * page read these modules; nothing else in the tree switches on a provider id.
 */

/** One day's value of one metric, already in the metric's canonical unit. */
export interface MetricSample {
  metric: MetricName;
  /** The user's local calendar day, YYYY-MM-DD, as the provider reports it. */
  day: string;
  value: number;
}

/** A record the provider has not scored yet; remembered so a later sync picks it up. */
export interface PendingRecord {
  externalId: string;
  day?: string;
  state: string;
}

export interface SyncRange {
  /** First local day to fetch, inclusive (YYYY-MM-DD). */
  startDay: string;
  /** Last local day to fetch, inclusive (YYYY-MM-DD). */
  endDay: string;
  /** The same range as instants (start of startDay UTC-14h … end of endDay UTC+14h is not assumed: these are UTC midnights). */
  start: Date;
  end: Date;
}

export interface CollectionPage<T> {
  items: T[];
  /** Opaque cursor for the next page; absent or null at the end. */
  nextCursor?: string | null;
}

/** Mutable per-sync scratch space shared by a provider's collections (e.g. a learnt UTC offset). */
export type MappingContext = Record<string, unknown>;

export interface Collection<T = unknown> {
  /** Stable id, used in step ids, progress and pending records ("daily_sleep"). */
  id: string;
  fetchPage(api: ProviderApi, range: SyncRange, cursor: string | undefined): Promise<CollectionPage<T>>;
  /** Maps one payload item to samples. Missing or unscored fields produce no sample, never a zero. */
  map(item: T, ctx: MappingContext): MetricSample[];
  /** Items that exist but are not scored yet, so they are stored as pending and fetched later. */
  pending?(item: T): PendingRecord | undefined;
  /** The provider's id for an item, so a pending record is forgotten once the item is scored. */
  externalId?(item: T): string | undefined;
  /**
   * Collections whose items each cover part of a day (time series) aggregate after the last page
   * instead of mapping item by item.
   */
  aggregate?(items: T[], ctx: MappingContext): MetricSample[];
}

/** The authenticated HTTP client a collection uses; errors are already classified. */
export interface ProviderApi {
  readonly baseUrl: string;
  get(path: string, query?: QueryParams): Promise<unknown>;
  /** Form-encoded POST (Withings-style RPC). */
  post(path: string, form?: QueryParams): Promise<unknown>;
}

export type QueryParams = Record<string, string | number | boolean | undefined | null>;

/** How a provider's own screens look (the sandbox's consent page imitates them). */
export interface ProviderBranding {
  /** The name as the provider writes it on its own pages ("WHOOP"). */
  name: string;
  page: string;
  card: string;
  muted: string;
  primaryButton: string;
  secondaryButton: string;
  input: string;
}

export interface ProviderCommon {
  id: string;
  name: string;
  /** One line for the Accounts page. */
  description: string;
  /** Brand colour for the provider badge (hex). */
  color: string;
  /** Optional look of the provider's own pages (the sandbox consent page); a neutral look otherwise. */
  branding?: ProviderBranding;
  /** What syncs, for the Accounts page ("Sleep, readiness, activity, heart rate"). */
  dataSummary: string;
  /** Days fetched on first connect. */
  backfillDays: number;
  // Each collection has its own item type, and only its own items are ever passed back to it.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  collections: Collection<any>[];
  /**
   * Which payload field feeds each metric this provider supplies (documentation for the README's
   * metric table; a test checks it matches what the mapping really produces).
   */
  metricFields: Partial<Record<MetricName, string>>;
  /**
   * This provider's rank among the sources of each metric it supplies (lower is preferred): the
   * tiles show the best-ranked source with data. Every metric in `metricFields` needs one; ranks
   * are compared across providers (lib/metrics/sources.ts), so they use steps of 10.
   */
  metricPriority: Partial<Record<MetricName, number>>;
  /**
   * Classifies a data-API answer. The default treats 401/403 as an auth failure, 429 as rate
   * limited and other non-2xx as provider errors; providers that answer errors inside a 200 body
   * (Withings) supply their own. Must return the JSON payload on success or throw a ProviderError.
   */
  interpretResponse?: (response: Response, body: unknown) => unknown;
  /**
   * The scopes each collection needs, by collection id (any one of them is enough). A sync only
   * fetches the collections the user granted; a collection not listed needs no particular scope.
   */
  collectionScopes?: Record<string, string[]>;
  /** Push notifications, where the provider has them (Garmin's session flow has none: it is polled). */
  webhooks?: ProviderWebhooks;
}

/* ---- Webhooks (provider-apis.md, webhook sections) ---- */

/** Why a webhook request was refused or acknowledged without work (webhook_counters.reason). */
export type WebhookRefusal = "forged" | "stale" | "malformed" | "oversized" | "unsupported_media_type";

/** One verified, parsed notification: only these fields are stored (webhook_inbox.notification). */
export interface WebhookNotification {
  /** The provider's event identity; redeliveries of one event share it (the inbox's unique key). */
  eventKey: string;
  /** The provider's id for the user, as notified. */
  providerUserId: string;
  /** What changed: an Oura data type ("daily_sleep"), a WHOOP type ("recovery"), a Withings appli ("44"). */
  topic: string;
  /** `upsert` for create/update, `delete` for deletions, `other` for anything else (e.g. Withings 46). */
  action: "upsert" | "delete" | "other";
  /** The changed object (Oura document id, WHOOP UUID), when the notification names one. */
  objectId?: string;
  /** The changed period as unix seconds (Withings startdate/enddate). */
  startSeconds?: number;
  endSeconds?: number;
}

/** What a notification asks of the sync engine once the changed object has been looked at. */
export type WebhookWork =
  { kind: "sync"; collections: string[]; startDay: string; endDay: string } | { kind: "ignored"; reason: string };

/** A request as the webhook route received it (body read raw, never parsed before verification). */
export interface WebhookDelivery {
  headers: Headers;
  rawBody: string;
  now: Date;
}

/** Oura-style app-level subscriptions, managed with the app's client credentials. */
export interface AppSubscriptionApi {
  /** "daily_sleep:create" … one per data type × event type this module reads. */
  topics: string[];
  /** The token the provider must echo when it verifies the callback (derived, so instances agree). */
  verificationToken(client: ClientCredentials): string;
  list(ctx: AppSubscriptionContext): Promise<AppSubscription[]>;
  create(ctx: AppSubscriptionContext, topic: string, callbackUrl: string): Promise<AppSubscription>;
  renew(ctx: AppSubscriptionContext, id: string): Promise<AppSubscription>;
}

export interface AppSubscriptionContext {
  apiBaseUrl: string;
  client: ClientCredentials;
  fetchImpl?: typeof fetch;
}

export interface AppSubscription {
  id: string;
  topic: string;
  callbackUrl: string;
  expiresAt: Date | null;
}

/** Withings-style per-user subscriptions, made with the user's access token. */
export interface ConnectionSubscriptionApi {
  /** Withings appli numbers as strings ("1", "44"…), one subscription each, with the collections each one changes. */
  topics: Record<string, string[]>;
  subscribe(api: ProviderApi, callbackUrl: string, topic: string): Promise<void>;
  revoke(api: ProviderApi, callbackUrl: string, topic: string): Promise<void>;
  /** The user's subscriptions (every app's callback URLs: callers keep their own). */
  list(api: ProviderApi): Promise<Array<{ callbackUrl: string; topic: string }>>;
}

/**
 * A provider's webhooks, declared like the rest of the module: how a notification proves where it
 * came from, how it parses into a WebhookNotification, and which collections and days it affects.
 */
export interface ProviderWebhooks {
  /** `signature`: HMAC over the raw body with the client secret; `path-token`: per-connection token in the URL. */
  authentication: "signature" | "path-token";
  /** The media type notifications are sent with; anything else is refused (415). */
  contentType: "application/json" | "application/x-www-form-urlencoded";
  /** Signature providers: a refusal, or undefined when the signature and timestamp hold. */
  verify?(delivery: WebhookDelivery, clientSecret: string): WebhookRefusal | undefined;
  /** The notification, or undefined when the body is not one (400). Called only after verification. */
  parse(rawBody: string): WebhookNotification | undefined;
  /**
   * Looks at the changed object with the user's token (single-document endpoints) and says what to
   * sync. Throws WebhookObjectNotReadyError when the provider does not have the object yet.
   */
  resolve(api: ProviderApi, notification: WebhookNotification): Promise<WebhookWork>;
  /**
   * The longest gap between notifications that is still normal for a connection with daily data
   * (hours): a connection silent for longer is polled at once (webhook silence fallback).
   */
  usualGapHours: number;
  appSubscriptions?: AppSubscriptionApi;
  connectionSubscriptions?: ConnectionSubscriptionApi;
}

/** The client credentials this app presents to a provider (live, or the ones its sandbox accepts). */
export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/**
 * How this app reaches the provider's local sandbox, served by this app at
 * `${APP_URL}/sandbox/<id>` while the provider has no live credentials: plain configuration the
 * runtime reads, so no provider or service imports the sandbox (the sandbox reads these instead).
 */
export interface SandboxTarget<TEndpoints> extends ClientCredentials {
  /** The provider's endpoints as the sandbox serves them under `baseUrl`. */
  endpoints: (baseUrl: string) => TEndpoints;
}

export interface OAuth2Endpoints {
  authorization: string;
  token: string;
  /** Base URL the collections' paths are resolved against. */
  api: string;
  revocation?: string;
}

export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  expiresAt?: Date;
  scopes?: string[];
  providerUserId?: string;
}

export interface OAuth2Provider extends ProviderCommon {
  kind: "oauth2";
  endpoints: OAuth2Endpoints;
  sandbox?: SandboxTarget<OAuth2Endpoints>;
  scopes: string[];
  /** Oura and Whoop separate scopes with spaces, Withings with commas. */
  scopeSeparator: " " | ",";
  /** As in Auth.js: `state` always; `pkce` (S256) where the provider supports it. */
  checks: Array<"state" | "pkce">;
  clientAuthentication: "client_secret_post" | "client_secret_basic";
  token?: {
    /** Extra form fields on every token request (Withings `action=requesttoken`). */
    params?: Record<string, string>;
    /** Extra form fields on refresh only (Whoop `scope=offline`). */
    refreshParams?: Record<string, string>;
    /**
     * Rewrites a non-standard token endpoint answer into an RFC 6749 one before it is parsed
     * (Withings wraps everything in `{status, body}` with HTTP 200).
     */
    conform?: (response: Response) => Promise<Response>;
  };
  /** How the provider treats a used refresh token (documentation; the engine always stores the newest). */
  refreshTokens: "single-use" | "rotating-with-grace" | "reusable";
  /** Looks up the provider's id for the user right after connecting (optional). */
  fetchUserId?(api: ProviderApi): Promise<string | undefined>;
  /**
   * Revokes the user's grant at the provider (Disconnect). Absent when the provider has no
   * revocation API; then Disconnect only forgets our tokens. Throws a ProviderError on failure.
   */
  revoke?(ctx: RevokeContext): Promise<void>;
}

export interface SessionLoginResult {
  kind: "connected";
  tokens: TokenSet;
  /** Session material needed to refresh (encrypted at rest). */
  sessionSecrets?: Record<string, string>;
}

export interface SessionMfaRequired {
  kind: "mfa_required";
  /** Provider context needed to finish the sign-in (cookies, ticket); never the password. */
  context: Record<string, string>;
}

export interface SessionEndpoints {
  sso: string;
  api: string;
  /** Where the SSO's ticket is exchanged for tokens and those are refreshed (Garmin's DI OAuth2 host). */
  auth?: string;
}

/**
 * A session provider's sign-in hooks. Each gets what it needs as arguments: the endpoints and the
 * client credentials of the current runtime (live or sandbox), so a provider module never looks
 * its own configuration up.
 */
export interface SessionHooks {
  login(
    endpoints: SessionEndpoints,
    email: string,
    password: string,
    client: ClientCredentials,
  ): Promise<SessionLoginResult | SessionMfaRequired>;
  verifyMfa(
    endpoints: SessionEndpoints,
    context: Record<string, string>,
    code: string,
    client: ClientCredentials,
  ): Promise<SessionLoginResult>;
  refresh(
    endpoints: SessionEndpoints,
    sessionSecrets: Record<string, string>,
    client: ClientCredentials,
  ): Promise<SessionLoginResult>;
}

/**
 * Which connect dialog the Accounts page opens for a session provider (the client keeps one
 * component per kind, components/accounts/session-dialogs.tsx); a new provider that signs in the
 * same way reuses a kind and needs no client change.
 */
export type SessionDialogKind = "garmin";

export interface SessionProvider extends ProviderCommon {
  kind: "session";
  connectDialog: SessionDialogKind;
  endpoints: SessionEndpoints;
  sandbox?: SandboxTarget<SessionEndpoints>;
  session: SessionHooks;
}

export type Provider = OAuth2Provider | SessionProvider;
