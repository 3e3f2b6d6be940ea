"use client";

import * as Dialog from "@radix-ui/react-dialog";
import { useInfiniteQuery } from "@tanstack/react-query";
import { format } from "date-fns";
import { apiFetch } from "@/components/api-fetch";
import type { ProviderCard } from "@/components/api-types";
import { Button } from "@/components/ui/button";
import type { SyncHistoryPage, SyncRunEntry } from "@/lib/sync/run-history";

const KIND_LABEL: Record<SyncRunEntry["kind"], string> = {
  backfill: "Backfill",
  poll: "Scheduled sync",
  webhook: "Provider notification",
  manual: "Sync now",
};
const KIND_PLURAL: Record<SyncRunEntry["kind"], string> = {
  backfill: "backfills",
  poll: "polls",
  webhook: "notifications",
  manual: "manual syncs",
};

const open = (run: SyncRunEntry) => run.status === "queued" || run.status === "running";

function duration(seconds: number | null): string {
  if (seconds === null) return "—";
  if (seconds < 60) return `${seconds} s`;
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** The sentence the polite live region reads: the newest run's progress or outcome. */
export function liveAnnouncement(name: string, run: SyncRunEntry | undefined): string {
  if (!run) return "";
  if (run.status === "queued") return `${name} sync queued.`;
  if (run.status === "running") return `${name} sync running: ${run.progress}% done.`;
  if (run.status === "failed") return `${name} sync failed: ${run.error ?? "unknown error"}.`;
  return `${name} sync finished: ${run.metricsWritten} metrics written.`;
}

function RunItem({ run }: { run: SyncRunEntry }) {
  return (
    <li className="flex flex-col gap-1 py-3 text-sm">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <span className="font-medium text-slate-900">{KIND_LABEL[run.kind]}</span>
        <time dateTime={run.startedAt ?? run.createdAt} className="text-slate-600">
          {format(new Date(run.startedAt ?? run.createdAt), "d MMM yyyy, HH:mm")}
        </time>
      </div>
      {open(run) ? (
        <div className="flex items-center gap-2 text-slate-700">
          <span>{run.status === "queued" ? "Queued" : `Running: ${run.progress}%`}</span>
          <progress className="h-2 flex-1" max={100} value={run.progress} aria-label="Sync progress" />
        </div>
      ) : (
        <p className="text-slate-700">
          {run.status === "failed" ? "Failed" : "Done"} in {duration(run.durationSeconds)} ·{" "}
          {run.recordsFetched.toLocaleString("en")} records fetched · {run.metricsWritten.toLocaleString("en")} metrics
          written
        </p>
      )}
      {run.error && <p className="rounded bg-red-50 px-2 py-1 text-red-800">{run.error}</p>}
    </li>
  );
}

function HistoryBody({ card }: { card: ProviderCard }) {
  const history = useInfiniteQuery({
    queryKey: ["connections", card.provider, "history"],
    queryFn: ({ pageParam }) =>
      apiFetch<SyncHistoryPage>(
        `/api/v1/connections/${card.provider}/history${pageParam ? `?cursor=${encodeURIComponent(pageParam)}` : ""}`,
      ),
    initialPageParam: "",
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    // Live progress: poll while the newest run is still open.
    refetchInterval: (query) => (query.state.data?.pages[0]?.runs.some(open) || card.syncing ? 2_000 : false),
  });
  const pages = history.data?.pages ?? [];
  const runs = pages.flatMap((p) => p.runs);
  const monthly = pages[0]?.monthly ?? [];
  return (
    <>
      <p aria-live="polite" role="status" className="sr-only">
        {liveAnnouncement(card.name, runs[0])}
      </p>
      {history.isPending && <p className="mt-4 text-sm text-slate-600">Loading…</p>}
      {history.isError && <p className="mt-4 text-sm text-red-800">{history.error.message}</p>}
      {history.isSuccess && runs.length === 0 && <p className="mt-4 text-sm text-slate-600">No syncs yet.</p>}
      <ul className="mt-2 max-h-[60vh] divide-y divide-slate-100 overflow-y-auto" aria-label={`${card.name} sync runs`}>
        {runs.map((run) => (
          <RunItem key={run.id} run={run} />
        ))}
      </ul>
      {history.hasNextPage && (
        <Button
          variant="secondary"
          size="sm"
          className="mt-2"
          pending={history.isFetchingNextPage}
          onClick={() => void history.fetchNextPage()}
        >
          Show older runs
        </Button>
      )}
      {monthly.length > 0 && !history.hasNextPage && (
        <div className="mt-4">
          <h3 className="text-sm font-semibold text-slate-900">Earlier</h3>
          <ul className="mt-1 text-sm text-slate-700">
            {monthly.map((m) => (
              <li key={`${m.month}-${m.kind}`}>
                {m.runs.toLocaleString("en")} {KIND_PLURAL[m.kind]} in{" "}
                {format(new Date(`${m.month}T12:00:00`), "MMMM yyyy")}
                {m.failed > 0 ? `, ${m.failed} failed` : ""}
              </li>
            ))}
          </ul>
        </div>
      )}
    </>
  );
}

/** "History" on an Accounts card: the connection's sync runs, newest first, with live progress. */
export function SyncHistoryButton({ card }: { card: ProviderCard }) {
  return (
    <Dialog.Root>
      <Dialog.Trigger asChild>
        <Button variant="secondary" aria-label={`${card.name} sync history`}>
          History
        </Button>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-slate-900/40" />
        <Dialog.Content className="fixed top-1/2 left-1/2 z-50 w-[calc(100%-2rem)] max-w-lg -translate-x-1/2 -translate-y-1/2 rounded-xl bg-white p-6 shadow-xl focus:outline-none">
          <Dialog.Title className="text-lg font-semibold text-slate-900">{card.name} sync history</Dialog.Title>
          <Dialog.Description className="mt-1 text-sm text-slate-600">
            Every sync of this connection, newest first.
          </Dialog.Description>
          <HistoryBody card={card} />
          <div className="mt-4 flex justify-end">
            <Dialog.Close asChild>
              <Button variant="secondary">Close</Button>
            </Dialog.Close>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
