"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useRef } from "react";
import { syncPercent } from "@/components/accounts/connection-status";
import { DisconnectedBanner } from "@/components/disconnected-banner";
import { anySyncing, connectionsQuery, dashboardTilesQuery, queryKeys } from "@/components/queries";
import { Alert } from "@/components/ui/alert";
import { Button, buttonClasses } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import type { DisplayContext } from "@/lib/metrics/units";
import { TileCard, TileSkeleton } from "./tile-card";

function EmptyState() {
  return (
    <Card className="flex flex-col items-center gap-3 px-6 py-14 text-center">
      <span
        aria-hidden="true"
        className="flex h-12 w-12 items-center justify-center rounded-full bg-indigo-50 text-2xl text-indigo-600"
      >
        ◎
      </span>
      <h2 className="text-lg font-semibold text-slate-900">Connect a wearable to see your trends</h2>
      <p className="max-w-md text-sm text-slate-600">
        Link your ring, band or scale under Sources › Accounts. We fetch your last 30 days straight away, so your sleep
        and readiness trends fill in within a minute.
      </p>
      <Link href="/accounts" className={buttonClasses("primary", "md", "mt-2")}>
        Go to Accounts
      </Link>
    </Card>
  );
}

/** The tiles arrive hydrated from the server render (app/page.tsx), so their values are in the first paint. */
export function DashboardView({ display }: { display: DisplayContext }) {
  const queryClient = useQueryClient();
  const connections = useQuery(connectionsQuery());
  const syncingCards = connections.data?.connections.filter((c) => c.syncing) ?? [];
  const syncing = anySyncing(connections.data?.connections);
  const tiles = useQuery(dashboardTilesQuery({ syncing }));

  // When the last sync finishes, fetch the tiles once more so the final values show.
  const wasSyncing = useRef(false);
  useEffect(() => {
    if (wasSyncing.current && !syncing) void queryClient.invalidateQueries({ queryKey: queryKeys.dashboard });
    wasSyncing.current = syncing;
  }, [syncing, queryClient]);

  const hasConnection =
    connections.data?.connections.some((c) => c.status === "active" || c.status === "disconnected") ?? false;
  const hasData = tiles.data?.tiles.some((t) => t.latest != null || t.series.length > 0) ?? false;
  // Without tile data the page cannot tell "nothing connected" from "still syncing" until connections load.
  const loading = tiles.isPending || (!hasData && connections.isPending);

  return (
    <div className="flex flex-col gap-6">
      <DisconnectedBanner />

      {syncingCards.length > 0 && (
        <Alert
          tone="info"
          role="status"
          title={`Syncing ${syncingCards.map((c) => `${c.name} (${syncPercent(c.latestSync?.progress)}%)`).join(", ")}…`}
        >
          Your tiles fill in as data arrives.
        </Alert>
      )}

      {loading ? (
        <div aria-busy="true" aria-label="Loading your trends" className="grid gap-6 lg:grid-cols-2">
          <TileSkeleton />
          <TileSkeleton />
        </div>
      ) : tiles.isError ? (
        <Alert
          tone="error"
          title="Could not load your trends"
          actions={
            <Button variant="secondary" size="sm" pending={tiles.isRefetching} onClick={() => void tiles.refetch()}>
              Retry
            </Button>
          }
        >
          {tiles.error?.message}
        </Alert>
      ) : !hasConnection && !hasData ? (
        <EmptyState />
      ) : (
        <div className="grid gap-6 lg:grid-cols-2">
          {(tiles.data?.tiles ?? []).map((tile) => (
            <TileCard key={tile.id} tile={tile} display={display} />
          ))}
        </div>
      )}
    </div>
  );
}
