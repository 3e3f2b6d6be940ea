/** Shapes of the JSON API the pages consume (see lib/api-contract.md). */

// The server's own types, imported for their shape only (no server code reaches the browser).
import type { ProviderCard, RevocationOutcome, SyncSummary } from "@/lib/connections/service";
import type { Tile } from "@/lib/metrics/tiles";

export type { ProviderCard, Tile };
export type LatestSync = SyncSummary;
export type ConnectionStatus = ProviderCard["status"];
export type ProviderMode = ProviderCard["mode"];
export type ProviderKind = ProviderCard["kind"];

/** DELETE /api/v1/connections/{provider}: the card, plus what the provider said about the revocation. */
export type DisconnectResponse = ProviderCard & { revocation: RevocationOutcome };

export interface ConnectionsResponse {
  connections: ProviderCard[];
}

export type TileSource = NonNullable<Tile["source"]>;
export type DayValue = Tile["series"][number];

export interface TilesResponse {
  tiles: Tile[];
}

export interface AuthorizeResponse {
  authorization_url: string;
  state: string;
}
