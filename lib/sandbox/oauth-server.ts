import crypto from "node:crypto";
import { and, eq, gt, isNotNull, isNull, lte, sql, type SQL } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { sandboxAuthCodes, sandboxTokens } from "@/lib/db/schema";
import { sandboxOAuthSettings } from "./controls";

/**
 * OAuth 2 authorisation-server mechanics shared by every OAuth sandbox (Oura, Whoop, Withings).
 * Each sandbox passes its provider's rules (lifetimes, refresh policy, PKCE) and maps the typed
 * errors below into that provider's own error shape. State lives in the database (codes and
 * tokens only as SHA-256 hashes) so several app instances share one sandbox.
 */

export type RefreshPolicy =
  /** The used refresh token dies at once; reusing it is `invalid_grant` (Oura, Whoop). */
  | { kind: "single-use" }
  /**
   * The used refresh token stays valid for `graceSeconds` or until an access token issued by the
   * rotation is used, whichever comes first (Withings: 8 h).
   */
  | { kind: "rotating-with-grace"; graceSeconds: number };

export interface OAuthServerRules {
  provider: string;
  clientId: string;
  clientSecret: string;
  codeLifetimeSeconds: number;
  accessTokenLifetimeSeconds: number;
  /** Undefined: refresh tokens never expire on their own. */
  refreshTokenLifetimeSeconds?: number;
  refreshPolicy: RefreshPolicy;
  /** When set, a refresh token is issued only if this scope was granted (Whoop `offline`). */
  refreshTokenRequiresScope?: string;
  /**
   * `required`: a code without a challenge cannot be issued. `optional`: a code issued with a
   * challenge can only be redeemed with its verifier (RFC 7636 §4.6), as real servers that
   * support PKCE do. `ignored`: the provider has no PKCE; a challenge is an unknown parameter and
   * is dropped (RFC 6749 §3.1), so nothing is checked at the token endpoint.
   */
  pkce: "required" | "optional" | "ignored";
  /** Injected clock for tests; defaults to the sandbox clock (the wall clock plus any advance). */
  now?: () => Date;
}

export type OAuthErrorCode = "invalid_grant" | "invalid_client" | "invalid_request";

/** Why a grant was refused, finer than the RFC 6749 code, so sandboxes can word their errors. */
export type OAuthFailureReason =
  | "client_unknown"
  | "client_secret_mismatch"
  | "code_unknown_or_used"
  | "code_expired"
  | "code_client_mismatch"
  | "redirect_uri_mismatch"
  | "pkce_verifier_missing"
  | "pkce_verifier_mismatch"
  | "pkce_challenge_missing"
  | "refresh_token_unknown"
  | "refresh_token_used"
  | "refresh_token_expired"
  | "refresh_token_revoked"
  | "refresh_token_client_mismatch";

const ERROR_CODES: Record<OAuthFailureReason, OAuthErrorCode> = {
  client_unknown: "invalid_client",
  client_secret_mismatch: "invalid_client",
  code_unknown_or_used: "invalid_grant",
  code_expired: "invalid_grant",
  code_client_mismatch: "invalid_grant",
  redirect_uri_mismatch: "invalid_grant",
  pkce_verifier_missing: "invalid_grant",
  pkce_verifier_mismatch: "invalid_grant",
  pkce_challenge_missing: "invalid_request",
  refresh_token_unknown: "invalid_grant",
  refresh_token_used: "invalid_grant",
  refresh_token_expired: "invalid_grant",
  refresh_token_revoked: "invalid_grant",
  refresh_token_client_mismatch: "invalid_grant",
};

const DESCRIPTIONS: Record<OAuthFailureReason, string> = {
  client_unknown: "Unknown client_id.",
  client_secret_mismatch: "Client authentication failed.",
  code_unknown_or_used: "The authorization code is invalid or has already been used.",
  code_expired: "The authorization code has expired.",
  code_client_mismatch: "The authorization code was issued to another client.",
  redirect_uri_mismatch: "The redirect_uri does not match the one used in the authorization request.",
  pkce_verifier_missing: "code_verifier is required for this authorization code.",
  pkce_verifier_mismatch: "The code_verifier does not match the code_challenge.",
  pkce_challenge_missing: "code_challenge (S256) is required.",
  refresh_token_unknown: "The refresh token is invalid.",
  refresh_token_used: "The refresh token has already been used or was revoked.",
  refresh_token_expired: "The refresh token has expired.",
  refresh_token_revoked: "The refresh token has already been used or was revoked.",
  refresh_token_client_mismatch: "The refresh token was issued to another client.",
};

/** A refused grant. `code` is the RFC 6749 error; the message never contains a token. */
export class SandboxOAuthError extends Error {
  override name = "SandboxOAuthError";
  readonly code: OAuthErrorCode;
  constructor(readonly reason: OAuthFailureReason) {
    super(DESCRIPTIONS[reason]);
    this.code = ERROR_CODES[reason];
  }
}

export type BearerFailureReason = "unknown" | "expired" | "revoked";

/** A data-API request with an access token that does not (or no longer) work. */
export class SandboxTokenError extends Error {
  override name = "SandboxTokenError";
  constructor(readonly reason: BearerFailureReason) {
    super(
      reason === "expired"
        ? "The access token has expired."
        : reason === "revoked"
          ? "The access token has been revoked."
          : "The access token is invalid.",
    );
  }
}

export interface IssuedTokens {
  tokenType: "bearer";
  accessToken: string;
  expiresIn: number;
  refreshToken?: string;
  scopes: string[];
  accountId: string;
}

export interface ValidatedToken {
  accountId: string;
  clientId: string;
  scopes: string[];
  familyId: string;
  expiresAt: Date;
}

export interface IssueCodeInput {
  accountId: string;
  clientId: string;
  redirectUri: string;
  scopes: string[];
  /** PKCE S256 challenge (base64url of SHA-256 of the verifier). */
  codeChallenge?: string;
}

export interface ExchangeCodeInput {
  code: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string | undefined;
  codeVerifier?: string;
}

export interface RefreshInput {
  refreshToken: string;
  clientId: string;
  clientSecret: string;
}

export function sha256Hex(value: string): string {
  return crypto.createHash("sha256").update(value).digest("hex");
}

/** base64url(SHA-256(verifier)), the S256 code challenge. */
export function pkceChallenge(verifier: string): string {
  return crypto.createHash("sha256").update(verifier).digest("base64url");
}

function safeEqual(a: string, b: string): boolean {
  // Hash first so the comparison is constant-time whatever the lengths.
  return crypto.timingSafeEqual(
    crypto.createHash("sha256").update(a).digest(),
    crypto.createHash("sha256").update(b).digest(),
  );
}

function randomToken(): string {
  return crypto.randomBytes(32).toString("base64url");
}

const addSeconds = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000);

type Settings = Awaited<ReturnType<typeof sandboxOAuthSettings>>;

export interface OAuthServer {
  readonly rules: OAuthServerRules;
  /** Throws `client_unknown` / `client_secret_mismatch`. */
  authenticateClient(clientId: string, clientSecret: string): void;
  isKnownClient(clientId: string): boolean;
  issueCode(input: IssueCodeInput): Promise<string>;
  exchangeCode(input: ExchangeCodeInput): Promise<IssuedTokens>;
  refresh(input: RefreshInput): Promise<IssuedTokens>;
  validateAccessToken(accessToken: string): Promise<ValidatedToken>;
  /** Revokes every token of the grant the given access or refresh token belongs to. False when unknown. */
  revokeToken(token: string): Promise<boolean>;
  revokeFamily(familyId: string): Promise<number>;
  /** "The user revoked the app on the provider's side": every grant of the account dies. */
  revokeAccountGrants(accountId: string): Promise<number>;
}

export function createOAuthServer(rules: OAuthServerRules): OAuthServer {
  /**
   * The sandbox clock and any lifetimes shortened through the sandbox controls, read once per
   * operation (an injected `rules.now` pins the clock for unit tests).
   */
  async function settings(): Promise<Settings> {
    if (rules.now) return { now: rules.now() };
    return sandboxOAuthSettings(provider);
  }
  const accessLifetime = (s: Settings) => s.accessTokenLifetimeSeconds ?? rules.accessTokenLifetimeSeconds;
  const refreshLifetime = (s: Settings) => s.refreshTokenLifetimeSeconds ?? rules.refreshTokenLifetimeSeconds;
  const { provider } = rules;

  function isKnownClient(clientId: string): boolean {
    return safeEqual(clientId, rules.clientId);
  }

  function authenticateClient(clientId: string, clientSecret: string): void {
    if (!isKnownClient(clientId)) throw new SandboxOAuthError("client_unknown");
    if (!safeEqual(clientSecret, rules.clientSecret)) throw new SandboxOAuthError("client_secret_mismatch");
  }

  async function issueTokens(
    grant: { accountId: string; clientId: string; scopes: string[]; familyId: string },
    clock: Settings,
  ): Promise<IssuedTokens> {
    const db = await getDb();
    const at = clock.now;
    const accessToken = randomToken();
    const withRefresh = !rules.refreshTokenRequiresScope || grant.scopes.includes(rules.refreshTokenRequiresScope);
    const refreshToken = withRefresh ? randomToken() : undefined;
    const common = {
      provider,
      accountId: grant.accountId,
      clientId: grant.clientId,
      scopes: grant.scopes,
      familyId: grant.familyId,
      createdAt: at,
    };
    await db.insert(sandboxTokens).values([
      {
        ...common,
        tokenHash: sha256Hex(accessToken),
        kind: "access",
        expiresAt: addSeconds(at, accessLifetime(clock)),
      },
      ...(refreshToken
        ? [
            {
              ...common,
              tokenHash: sha256Hex(refreshToken),
              kind: "refresh" as const,
              expiresAt: refreshLifetime(clock) === undefined ? null : addSeconds(at, refreshLifetime(clock)!),
            },
          ]
        : []),
    ]);
    return {
      tokenType: "bearer",
      accessToken,
      expiresIn: accessLifetime(clock),
      refreshToken,
      scopes: grant.scopes,
      accountId: grant.accountId,
    };
  }

  async function issueCode(input: IssueCodeInput): Promise<string> {
    if (!isKnownClient(input.clientId)) throw new SandboxOAuthError("client_unknown");
    if (rules.pkce === "required" && !input.codeChallenge) throw new SandboxOAuthError("pkce_challenge_missing");
    const db = await getDb();
    const code = randomToken();
    const clock = await settings();
    const at = clock.now;
    await db.insert(sandboxAuthCodes).values({
      codeHash: sha256Hex(code),
      provider,
      accountId: input.accountId,
      clientId: input.clientId,
      redirectUri: input.redirectUri,
      scopes: input.scopes,
      codeChallenge: rules.pkce === "ignored" ? null : (input.codeChallenge ?? null),
      expiresAt: addSeconds(at, clock.codeLifetimeSeconds ?? rules.codeLifetimeSeconds),
      createdAt: at,
    });
    return code;
  }

  async function exchangeCode(input: ExchangeCodeInput): Promise<IssuedTokens> {
    authenticateClient(input.clientId, input.clientSecret);
    const db = await getDb();
    const clock = await settings();
    const at = clock.now;
    if (clock.rejectClientCredentials) throw new SandboxOAuthError("client_secret_mismatch");
    // Deleting as we read makes the code single-use even under concurrent exchanges. Any failed
    // attempt below also burns the code, as real authorisation servers do.
    const [row] = await db
      .delete(sandboxAuthCodes)
      .where(and(eq(sandboxAuthCodes.codeHash, sha256Hex(input.code)), eq(sandboxAuthCodes.provider, provider)))
      .returning();
    if (!row) throw new SandboxOAuthError("code_unknown_or_used");
    if (row.expiresAt.getTime() <= at.getTime()) throw new SandboxOAuthError("code_expired");
    if (row.clientId !== input.clientId) throw new SandboxOAuthError("code_client_mismatch");
    if (input.redirectUri !== row.redirectUri) throw new SandboxOAuthError("redirect_uri_mismatch");
    if (row.codeChallenge) {
      if (!input.codeVerifier) throw new SandboxOAuthError("pkce_verifier_missing");
      if (!safeEqual(pkceChallenge(input.codeVerifier), row.codeChallenge))
        throw new SandboxOAuthError("pkce_verifier_mismatch");
    }
    return issueTokens(
      { accountId: row.accountId, clientId: row.clientId, scopes: row.scopes, familyId: crypto.randomUUID() },
      clock,
    );
  }

  async function refresh(input: RefreshInput): Promise<IssuedTokens> {
    authenticateClient(input.clientId, input.clientSecret);
    const db = await getDb();
    const clock = await settings();
    const at = clock.now;
    if (clock.rejectClientCredentials) throw new SandboxOAuthError("client_secret_mismatch");
    const hash = sha256Hex(input.refreshToken);
    const policy = rules.refreshPolicy;
    const match = and(
      eq(sandboxTokens.tokenHash, hash),
      eq(sandboxTokens.provider, provider),
      eq(sandboxTokens.kind, "refresh"),
    );

    // Rotate atomically: only one concurrent request can flip revoked_at from NULL.
    const [rotated] = await db
      .update(sandboxTokens)
      .set({
        revokedAt: at,
        graceUntil: policy.kind === "rotating-with-grace" ? addSeconds(at, policy.graceSeconds) : null,
      })
      .where(
        and(
          match,
          isNull(sandboxTokens.revokedAt),
          sql`(${sandboxTokens.expiresAt} is null or ${sandboxTokens.expiresAt} > ${at.toISOString()})`,
        ),
      )
      .returning();

    let grant = rotated;
    if (!grant) {
      const [existing] = await db.select().from(sandboxTokens).where(match);
      if (!existing) throw new SandboxOAuthError("refresh_token_unknown");
      if (existing.expiresAt && existing.expiresAt.getTime() <= at.getTime())
        throw new SandboxOAuthError("refresh_token_expired");
      const inGrace =
        policy.kind === "rotating-with-grace" && existing.graceUntil && existing.graceUntil.getTime() > at.getTime();
      if (!inGrace)
        throw new SandboxOAuthError(
          existing.graceUntil || policy.kind === "single-use" ? "refresh_token_used" : "refresh_token_revoked",
        );
      grant = existing;
    }
    if (grant.clientId !== input.clientId) throw new SandboxOAuthError("refresh_token_client_mismatch");
    return issueTokens(
      { accountId: grant.accountId, clientId: grant.clientId, scopes: grant.scopes, familyId: grant.familyId },
      clock,
    );
  }

  async function validateAccessToken(accessToken: string): Promise<ValidatedToken> {
    const db = await getDb();
    const clock = await settings();
    const at = clock.now;
    const [row] = await db
      .select()
      .from(sandboxTokens)
      .where(
        and(
          eq(sandboxTokens.tokenHash, sha256Hex(accessToken)),
          eq(sandboxTokens.provider, provider),
          eq(sandboxTokens.kind, "access"),
        ),
      );
    if (!row) throw new SandboxTokenError("unknown");
    if (row.revokedAt) throw new SandboxTokenError("revoked");
    if (!row.expiresAt || row.expiresAt.getTime() <= at.getTime()) throw new SandboxTokenError("expired");
    if (rules.refreshPolicy.kind === "rotating-with-grace") {
      // Using the new access token ends the grace of the refresh tokens rotated to issue it (and of
      // older rotated ones): a rotation stamps the old token's revoked_at with the new token's created_at.
      await db
        .update(sandboxTokens)
        .set({ graceUntil: at })
        .where(
          and(
            eq(sandboxTokens.provider, provider),
            eq(sandboxTokens.familyId, row.familyId),
            eq(sandboxTokens.kind, "refresh"),
            isNotNull(sandboxTokens.revokedAt),
            lte(sandboxTokens.revokedAt, row.createdAt),
            gt(sandboxTokens.graceUntil, at),
          ),
        );
    }
    return {
      accountId: row.accountId,
      clientId: row.clientId,
      scopes: row.scopes,
      familyId: row.familyId,
      expiresAt: row.expiresAt,
    };
  }

  /** Revokes this provider's tokens that `which` selects and are still usable (live, or in a refresh grace); returns how many. */
  async function revokeTokensWhere(which: SQL): Promise<number> {
    const db = await getDb();
    const clock = await settings();
    const at = clock.now;
    const rows = await db
      .update(sandboxTokens)
      .set({ revokedAt: at, graceUntil: null })
      .where(
        and(
          eq(sandboxTokens.provider, provider),
          which,
          sql`(${sandboxTokens.revokedAt} is null or ${sandboxTokens.graceUntil} is not null)`,
        ),
      )
      .returning({ hash: sandboxTokens.tokenHash });
    return rows.length;
  }

  function revokeFamily(familyId: string): Promise<number> {
    return revokeTokensWhere(eq(sandboxTokens.familyId, familyId));
  }

  async function revokeToken(token: string): Promise<boolean> {
    const db = await getDb();
    const [row] = await db
      .select({ familyId: sandboxTokens.familyId })
      .from(sandboxTokens)
      .where(and(eq(sandboxTokens.tokenHash, sha256Hex(token)), eq(sandboxTokens.provider, provider)));
    if (!row) return false;
    await revokeFamily(row.familyId);
    return true;
  }

  function revokeAccountGrants(accountId: string): Promise<number> {
    return revokeTokensWhere(eq(sandboxTokens.accountId, accountId));
  }

  return {
    rules,
    authenticateClient,
    isKnownClient,
    issueCode,
    exchangeCode,
    refresh,
    validateAccessToken,
    revokeToken,
    revokeFamily,
    revokeAccountGrants,
  };
}
