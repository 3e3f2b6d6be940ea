import { and, eq, isNull, sql } from "drizzle-orm";
import { config, type AppConfig } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import { sandboxControls, sandboxTokens } from "@/lib/db/schema";

/**
 * Test and development controls of one provider sandbox: a clock that drives token and code
 * lifetimes, rate-limit windows and fault windows; shorter token lifetimes; expiring a user's
 * access token or revoking their grant now; and faults injected for a while (429 bursts with
 * Retry-After, 5xx, answers slower than our timeouts). State lives in the database, so every
 * app instance serving the sandbox sees the same. Tests call these functions directly; the
 * `/sandbox/<id>/_control` JSON API exposes them outside production.
 */

export const FAULT_KINDS = ["rate_limit", "server_error", "slow", "malformed"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export const FAULT_TARGETS = ["token", "api", "all"] as const;
export type FaultTarget = (typeof FAULT_TARGETS)[number];

export interface SandboxFault {
  kind: FaultKind;
  /** Sandbox-clock instant the fault starts and ends (ISO). */
  from: string;
  until: string;
  /** Share of requests affected, 0–1. */
  probability: number;
  /** Which requests: the token endpoint, the data API, or both. */
  target: FaultTarget;
  /** rate_limit: the Retry-After (or Withings `wait_seconds`) to answer with. */
  retryAfterSeconds?: number;
  /** server_error: the HTTP status (5xx). */
  status?: number;
  /** slow: how long to hold the answer, in wall-clock milliseconds. (malformed: a 200 whose body has the wrong shape.) */
  delayMs?: number;
}

export interface SandboxControlState {
  clockOffsetMs?: number;
  accessTokenLifetimeSeconds?: number;
  refreshTokenLifetimeSeconds?: number;
  codeLifetimeSeconds?: number;
  /** "The client secret was rotated at the provider": the token endpoint answers invalid_client. */
  rejectClientCredentials?: boolean;
  faults?: SandboxFault[];
}

/** Controls exist only where sandboxes are served, and never in production. */
export function sandboxControlsEnabled(cfg: Pick<AppConfig, "sandboxEnabled" | "env"> = config()): boolean {
  return cfg.sandboxEnabled && cfg.env !== "production";
}

export async function getSandboxControls(provider: string): Promise<SandboxControlState> {
  const db = await getDb();
  const [row] = await db
    .select({ state: sandboxControls.state })
    .from(sandboxControls)
    .where(eq(sandboxControls.provider, provider));
  return row?.state ?? {};
}

async function writeControls(provider: string, state: SandboxControlState): Promise<SandboxControlState> {
  const db = await getDb();
  await db
    .insert(sandboxControls)
    .values({ provider, state })
    .onConflictDoUpdate({ target: sandboxControls.provider, set: { state, updatedAt: new Date() } });
  return state;
}

async function updateControls(
  provider: string,
  change: (state: SandboxControlState) => SandboxControlState,
): Promise<SandboxControlState> {
  return writeControls(provider, change(await getSandboxControls(provider)));
}

function clockFrom(state: SandboxControlState): Date {
  return new Date(Date.now() + (state.clockOffsetMs ?? 0));
}

/** The sandbox's clock: the wall clock plus whatever tests advanced it by. */
export async function sandboxClock(provider: string): Promise<Date> {
  return clockFrom(await getSandboxControls(provider));
}

/** What the OAuth server needs per request, in one read: the clock and any shortened lifetimes. */
export async function sandboxOAuthSettings(provider: string): Promise<{
  now: Date;
  accessTokenLifetimeSeconds?: number;
  refreshTokenLifetimeSeconds?: number;
  codeLifetimeSeconds?: number;
  rejectClientCredentials?: boolean;
}> {
  const state = await getSandboxControls(provider);
  return {
    now: clockFrom(state),
    accessTokenLifetimeSeconds: state.accessTokenLifetimeSeconds,
    refreshTokenLifetimeSeconds: state.refreshTokenLifetimeSeconds,
    codeLifetimeSeconds: state.codeLifetimeSeconds,
    rejectClientCredentials: state.rejectClientCredentials,
  };
}

/** Makes the token endpoint refuse this app's client credentials (or accept them again). */
export async function setSandboxClientCredentialsRejected(provider: string, rejected: boolean): Promise<void> {
  await updateControls(provider, (state) => ({ ...state, rejectClientCredentials: rejected }));
}

/** Moves the sandbox clock forward (atomically, so concurrent advances add up). */
export async function advanceSandboxClock(provider: string, ms: number): Promise<Date> {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError("The clock only moves forward");
  const db = await getDb();
  const delta = Math.round(ms);
  const [row] = await db
    .insert(sandboxControls)
    .values({ provider, state: { clockOffsetMs: delta } })
    .onConflictDoUpdate({
      target: sandboxControls.provider,
      set: {
        state: sql`jsonb_set(${sandboxControls.state}, '{clockOffsetMs}', to_jsonb(coalesce((${sandboxControls.state}->>'clockOffsetMs')::bigint, 0) + ${delta}::bigint))`,
        updatedAt: new Date(),
      },
    })
    .returning({ state: sandboxControls.state });
  return clockFrom(row!.state as SandboxControlState);
}

/** Lifetimes for tokens and codes issued from now on (undefined keeps the provider's own). */
export async function setSandboxTokenLifetimes(
  provider: string,
  lifetimes: { accessTokenSeconds?: number; refreshTokenSeconds?: number; codeSeconds?: number },
): Promise<SandboxControlState> {
  return updateControls(provider, (state) => ({
    ...state,
    accessTokenLifetimeSeconds: lifetimes.accessTokenSeconds ?? state.accessTokenLifetimeSeconds,
    refreshTokenLifetimeSeconds: lifetimes.refreshTokenSeconds ?? state.refreshTokenLifetimeSeconds,
    codeLifetimeSeconds: lifetimes.codeSeconds ?? state.codeLifetimeSeconds,
  }));
}

/** Every live access token of the account expires now (by the sandbox clock). Returns how many. */
export async function expireSandboxAccessTokens(provider: string, accountId: string): Promise<number> {
  const db = await getDb();
  const now = await sandboxClock(provider);
  const rows = await db
    .update(sandboxTokens)
    .set({ expiresAt: now })
    .where(
      and(
        eq(sandboxTokens.provider, provider),
        eq(sandboxTokens.accountId, accountId),
        eq(sandboxTokens.kind, "access"),
        isNull(sandboxTokens.revokedAt),
        sql`${sandboxTokens.expiresAt} > ${now.toISOString()}::timestamptz`,
      ),
    )
    .returning({ hash: sandboxTokens.tokenHash });
  return rows.length;
}

/** "The user revoked this app at the provider": every token of the account stops working. */
export async function revokeSandboxGrant(provider: string, accountId: string): Promise<number> {
  const db = await getDb();
  const now = await sandboxClock(provider);
  const rows = await db
    .update(sandboxTokens)
    .set({ revokedAt: now, graceUntil: null })
    .where(
      and(
        eq(sandboxTokens.provider, provider),
        eq(sandboxTokens.accountId, accountId),
        sql`(${sandboxTokens.revokedAt} is null or ${sandboxTokens.graceUntil} is not null)`,
      ),
    )
    .returning({ hash: sandboxTokens.tokenHash });
  return rows.length;
}

export interface FaultInput {
  kind: FaultKind;
  /** How long the fault lasts, in sandbox-clock seconds from now. */
  forSeconds: number;
  probability?: number;
  target?: FaultTarget;
  retryAfterSeconds?: number;
  status?: number;
  delayMs?: number;
}

/** Adds a fault for a while (by the sandbox clock); several faults can overlap. */
export async function injectSandboxFault(provider: string, input: FaultInput): Promise<SandboxFault> {
  const now = await sandboxClock(provider);
  const fault: SandboxFault = {
    kind: input.kind,
    from: now.toISOString(),
    until: new Date(now.getTime() + input.forSeconds * 1000).toISOString(),
    probability: input.probability ?? 1,
    target: input.target ?? "all",
    ...(input.kind === "rate_limit" ? { retryAfterSeconds: input.retryAfterSeconds ?? 30 } : {}),
    ...(input.kind === "server_error" ? { status: input.status ?? 503 } : {}),
    ...(input.kind === "slow" ? { delayMs: input.delayMs ?? 35_000 } : {}),
  };
  await updateControls(provider, (state) => ({
    ...state,
    faults: [...(state.faults ?? []).filter((f) => Date.parse(f.until) > now.getTime()), fault],
  }));
  return fault;
}

export async function clearSandboxFaults(provider: string): Promise<void> {
  await updateControls(provider, (state) => ({ ...state, faults: [] }));
}

/** Back to the provider's own behaviour: clock, lifetimes and faults. */
export async function resetSandboxControls(provider: string): Promise<void> {
  const db = await getDb();
  await db.delete(sandboxControls).where(eq(sandboxControls.provider, provider));
}

/**
 * The faults that hit this request (at most one of each kind), decided by each fault's
 * probability. `random` is injectable for tests.
 */
export async function faultsForRequest(
  provider: string,
  target: Exclude<FaultTarget, "all">,
  random: () => number = Math.random,
): Promise<SandboxFault[]> {
  const state = await getSandboxControls(provider);
  if (!state.faults?.length) return [];
  const now = clockFrom(state).getTime();
  const hits: SandboxFault[] = [];
  for (const fault of state.faults) {
    if (Date.parse(fault.from) > now || Date.parse(fault.until) <= now) continue;
    if (fault.target !== "all" && fault.target !== target) continue;
    if (hits.some((h) => h.kind === fault.kind)) continue;
    if (random() < fault.probability) hits.push(fault);
  }
  return hits;
}
