/** Shapes of the JSON API the pages consume (see lib/api-contract.md). */

export type ConnectionStatus = "not_connected" | "active" | "disconnected" | "revoked";
export type ProviderMode = "live" | "sandbox" | "unavailable";
export type ProviderKind = "oauth2" | "session";

export interface LatestSync {
  kind: "backfill" | "poll" | "webhook" | "manual";
  status: "queued" | "running" | "succeeded" | "failed";
  /** 0–100 */
  progress: number;
  metricsWritten: number;
  error: string | null;
  finishedAt: string | null;
}

export interface ProviderCard {
  provider: string;
  name: string;
  description: string;
  color: string;
  dataSummary: string;
  kind: ProviderKind;
  mode: ProviderMode;
  status: ConnectionStatus;
  syncing: boolean;
  connectedAt: string | null;
  lastSyncedAt: string | null;
  lastError: string | null;
  scopes: string[];
  latestSync: LatestSync | null;
}

export interface ConnectionsResponse {
  connections: ProviderCard[];
}

export interface TileSource {
  provider: string;
  name: string;
}

export interface DayValue {
  day: string;
  value: number;
}

export interface Tile {
  id: "sleep" | "readiness";
  title: "Sleep" | "Readiness";
  metric: string;
  unit: string;
  source: TileSource | null;
  sources: TileSource[];
  latest: DayValue | null;
  series: DayValue[];
  avg7: number | null;
  baseline30: number | null;
  insufficient: string | null;
}

export interface TilesResponse {
  tiles: Tile[];
}

export interface AuthorizeResponse {
  authorization_url: string;
  state: string;
}
