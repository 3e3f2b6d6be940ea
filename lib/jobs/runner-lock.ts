/**
 * The in-process runner keeps its queue and crons in one process's memory: two app instances
 * would both run every cron and resume each other's runs. On PostgreSQL the runner therefore
 * holds a session-level advisory lock, on a connection of its own kept for the life of the
 * process; a second instance finds it taken and refuses to run jobs. (PGlite needs no lock: its
 * data folder can only be opened by one process at a time.)
 */

/** Arbitrary but fixed: the 64-bit key of the runner's advisory lock ("wearjobs" in ASCII). */
export const IN_PROCESS_RUNNER_LOCK_KEY = 0x776561726a6f6273n;

export type RunnerLock =
  { acquired: true; release: () => Promise<void> } | { acquired: false; reason: string; release: () => Promise<void> };

export async function acquireRunnerLock(
  databaseUrl: string,
  options: { onLost?: (reason: string) => void } = {},
): Promise<RunnerLock> {
  if (!databaseUrl.startsWith("postgres://") && !databaseUrl.startsWith("postgresql://")) {
    return { acquired: true, release: async () => {} };
  }
  const { default: postgres } = await import("postgres");
  let released = false;
  const client = postgres(databaseUrl, {
    max: 1,
    // The lock lives as long as its session: never recycle this connection.
    idle_timeout: null as unknown as number,
    max_lifetime: null as unknown as number,
    onnotice: () => {},
    connection: { application_name: "wearables-job-runner-lock" },
    onclose: () => {
      if (!released) options.onLost?.("The connection holding the job runner's advisory lock closed; jobs stop here.");
    },
  });
  const release = async () => {
    released = true;
    await client.end({ timeout: 5 });
  };
  try {
    const [row] = await client`select pg_try_advisory_lock(${IN_PROCESS_RUNNER_LOCK_KEY.toString()}::bigint) as ok`;
    if (row?.ok) return { acquired: true, release };
    const holders = await client`
      select pid, application_name, client_addr::text as addr, backend_start
      from pg_locks l join pg_stat_activity a using (pid)
      where l.locktype = 'advisory' and l.granted
        and ((l.classid::bigint << 32) | l.objid::bigint) = ${IN_PROCESS_RUNNER_LOCK_KEY.toString()}::bigint`;
    const holder = holders[0]
      ? ` (held by PostgreSQL backend ${holders[0].pid}${holders[0].addr ? ` from ${holders[0].addr}` : ""}, since ${String(holders[0].backend_start)})`
      : "";
    await release();
    return {
      acquired: false,
      reason:
        `Another app instance already runs the in-process job runner${holder}. ` +
        "This instance serves requests but runs no jobs: the in-process runner is for one instance. " +
        "To run several instances, use Inngest (INNGEST_EVENT_KEY and INNGEST_SIGNING_KEY).",
      release: async () => {},
    };
  } catch (error) {
    await release().catch(() => {});
    throw error;
  }
}
