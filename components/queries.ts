import { queryOptions } from "@tanstack/react-query";
import { apiFetch } from "./api-fetch";
import type { ConnectionsResponse, ProviderCard, TilesResponse } from "./api-types";

/** Hierarchical query keys: invalidating ["dashboard"] refreshes every dashboard query. */
export const queryKeys = {
  connections: ["connections"] as const,
  dashboard: ["dashboard"] as const,
  dashboardTiles: ["dashboard", "tiles"] as const,
};

export const CONNECTIONS_POLL_MS = 2_000;
export const TILES_POLL_MS = 3_000;

export function anySyncing(connections: readonly ProviderCard[] | undefined): boolean {
  return connections?.some((c) => c.syncing) ?? false;
}

export function connectionsQuery() {
  return queryOptions({
    queryKey: queryKeys.connections,
    queryFn: () => apiFetch<ConnectionsResponse>("/api/v1/connections"),
    staleTime: 10_000,
    // Progress only moves while a sync runs, so poll just then.
    refetchInterval: (query) => (anySyncing(query.state.data?.connections) ? CONNECTIONS_POLL_MS : false),
  });
}

export function dashboardTilesQuery({ syncing }: { syncing: boolean }) {
  return queryOptions({
    queryKey: queryKeys.dashboardTiles,
    queryFn: () => apiFetch<TilesResponse>("/api/v1/dashboard/tiles"),
    staleTime: 60_000,
    refetchInterval: syncing ? TILES_POLL_MS : false,
  });
}
