import type { InngestFunction } from "inngest";

/**
 * Inngest's flow-control options (concurrency, throttle) as the functions declare them, and how
 * the in-process runner evaluates them. The types are Inngest's own, so a job cannot declare an
 * option the embedded runner does not know about.
 */

export type ConcurrencyOptions = NonNullable<InngestFunction.Options["concurrency"]>;
export type ThrottleOptions = NonNullable<InngestFunction.Options["throttle"]>;
type ConcurrencyOption = Exclude<ConcurrencyOptions, number | readonly unknown[]>;

/**
 * Evaluates the subset of Inngest's CEL key expressions this app uses: `event.data.a.b` paths,
 * "string" literals and `+` between them. Anything else is refused when the job is registered,
 * rather than silently grouping runs differently from Inngest.
 */
export function compileKeyExpression(expression: string): (event: { data: unknown }) => string {
  const terms = splitConcatenation(expression).map((raw) => {
    const term = raw.trim();
    const literal = /^"([^"\\]*)"$/.exec(term) ?? /^'([^'\\]*)'$/.exec(term);
    if (literal) return () => literal[1]!;
    if (/^event(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(term)) {
      const path = term.split(".").slice(1);
      return (event: { data: unknown }) => {
        const value = path.reduce<unknown>(
          (obj, part) => (obj && typeof obj === "object" ? (obj as Record<string, unknown>)[part] : undefined),
          event,
        );
        // CEL's missing field: the key is empty, all such runs share one group (as on Inngest).
        return typeof value === "string" || typeof value === "number" || typeof value === "boolean"
          ? String(value)
          : "";
      };
    }
    throw new Error(`Unsupported key expression "${expression}" (the in-process runner evaluates paths and literals)`);
  });
  return (event) => terms.map((term) => term(event)).join("");
}

function splitConcatenation(expression: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quote: string | null = null;
  for (const ch of expression) {
    if (quote) {
      if (ch === quote) quote = null;
      current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      current += ch;
    } else if (ch === "+") {
      parts.push(current);
      current = "";
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

/** Inngest's time strings ("1m", "30s", "1h30m", "2d"), in milliseconds. */
export function parseTimeStr(value: string): number {
  const units: Record<string, number> = { w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };
  const matches = [...value.matchAll(/(\d+(?:\.\d+)?)([wdhms])/g)];
  if (!matches.length || matches.map((m) => m[0]).join("") !== value) throw new Error(`Invalid time string "${value}"`);
  return matches.reduce((total, m) => total + Number(m[1]) * units[m[2]!]!, 0);
}

/** One concurrency group a run must have a slot in: its identity and its limit. */
export interface ConcurrencyGroup {
  id: string;
  limit: number;
}

/**
 * The groups a job's runs count against. Scope `fn` (Inngest's default) groups by function and key
 * value; `env` and `account` group by the key value alone, so every function declaring the same
 * key shares one limit (this process is one environment).
 */
export function compileConcurrency(
  jobId: string,
  concurrency: ConcurrencyOptions | undefined,
): (event: { data: unknown }) => ConcurrencyGroup[] {
  if (concurrency === undefined) return () => [];
  const options: ConcurrencyOption[] =
    typeof concurrency === "number"
      ? [{ limit: concurrency }]
      : Array.isArray(concurrency)
        ? concurrency
        : [concurrency];
  const compiled = options.map((option) => {
    if (!(option.limit >= 1)) throw new Error(`${jobId}: concurrency limit must be at least 1`);
    const key = option.key ? compileKeyExpression(option.key) : () => "";
    const scope = option.scope ?? "fn";
    return (event: { data: unknown }): ConcurrencyGroup => ({
      id: scope === "fn" ? `fn:${jobId}:${key(event)}` : `${scope}:${key(event)}`,
      limit: option.limit,
    });
  });
  return (event) => compiled.map((group) => group(event));
}

/** The throttle of one job: which bucket a run starts in, and how starts are spaced. */
export interface CompiledThrottle {
  bucket(event: { data: unknown }): string;
  /** Milliseconds between starts (period ÷ limit). */
  intervalMs: number;
  burst: number;
}

export function compileThrottle(jobId: string, throttle: ThrottleOptions | undefined): CompiledThrottle | undefined {
  if (!throttle) return undefined;
  if (!(throttle.limit >= 1)) throw new Error(`${jobId}: throttle limit must be at least 1`);
  const key = throttle.key ? compileKeyExpression(throttle.key) : () => "";
  // Throttles are per function on Inngest (they have no scope option).
  return {
    bucket: (event) => `${jobId}:${key(event)}`,
    intervalMs: parseTimeStr(throttle.period) / throttle.limit,
    burst: Math.max(1, throttle.burst ?? 1),
  };
}

/**
 * Run starts per throttle bucket, spaced evenly as Inngest does (a generic cell rate algorithm:
 * `burst` starts may happen at once, then one per interval). Returns when the run may start.
 */
export class ThrottleSchedule {
  private readonly theoreticalArrival = new Map<string, number>();

  reserve(throttle: CompiledThrottle, bucket: string, now: number): number {
    const tat = this.theoreticalArrival.get(bucket) ?? now;
    const tolerance = (throttle.burst - 1) * throttle.intervalMs;
    const startAt = Math.max(now, tat - tolerance);
    this.theoreticalArrival.set(bucket, Math.max(tat, startAt) + throttle.intervalMs);
    return startAt;
  }
}

/**
 * Concurrency slots: a run executes code only while it holds a slot in each of its groups, and
 * waiting runs are served first come, first served (a run that finishes a step queues again, so
 * runs of one group interleave step by step, as on Inngest, but never overlap).
 */
export class ConcurrencySlots {
  private readonly active = new Map<string, number>();
  private readonly waiting: Array<{ groups: ConcurrencyGroup[]; grant: () => void }> = [];

  acquire(groups: ConcurrencyGroup[]): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = () => {
        for (const g of groups) this.active.set(g.id, (this.active.get(g.id) ?? 0) + 1);
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          for (const g of groups) {
            const left = (this.active.get(g.id) ?? 1) - 1;
            if (left > 0) this.active.set(g.id, left);
            else this.active.delete(g.id);
          }
          this.wake();
        });
      };
      this.waiting.push({ groups, grant });
      this.wake();
    });
  }

  private fits(groups: ConcurrencyGroup[]): boolean {
    return groups.every((g) => (this.active.get(g.id) ?? 0) < g.limit);
  }

  private wake(): void {
    for (let i = 0; i < this.waiting.length;) {
      const waiter = this.waiting[i]!;
      // First come, first served within a group: a later waiter never overtakes an earlier one it shares a group with.
      const blockedByEarlier = this.waiting
        .slice(0, i)
        .some((earlier) => earlier.groups.some((g) => waiter.groups.some((w) => w.id === g.id)));
      if (!blockedByEarlier && this.fits(waiter.groups)) {
        this.waiting.splice(i, 1);
        waiter.grant();
      } else i++;
    }
  }
}
