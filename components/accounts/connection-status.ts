import type { BadgeTone } from "@/components/ui/badge";
import type { ProviderCard } from "@/components/api-types";

export interface StatusPill {
  label: string;
  tone: BadgeTone;
}

type StatusInput = Pick<ProviderCard, "mode" | "status" | "syncing" | "latestSync">;

/** Clamps a sync progress (0–100) to a whole percentage. */
export function syncPercent(progress: number | null | undefined): number {
  if (progress == null || !Number.isFinite(progress)) return 0;
  return Math.min(100, Math.max(0, Math.round(progress)));
}

/** The connection status pill of a provider card. */
export function statusPill(card: StatusInput): StatusPill {
  if (card.status === "active") return { label: "Connected", tone: "success" };
  if (card.status === "disconnected") return { label: "Disconnected", tone: "danger" };
  if (card.mode === "unavailable") return { label: "Unavailable", tone: "neutral" };
  return { label: "Not connected", tone: "neutral" };
}

/** A second pill while a sync is queued or running ("Syncing… 40%"); null otherwise. */
export function syncingBadge(card: StatusInput): StatusPill | null {
  if (!card.syncing || card.status === "not_connected" || card.status === "revoked") return null;
  return { label: `Syncing… ${syncPercent(card.latestSync?.progress)}%`, tone: "info" };
}

export type CardAction = "connect" | "reconnect" | "refresh" | "sync" | "disconnect";

/** Which actions a provider card offers, in display order. */
export function cardActions(card: Pick<ProviderCard, "mode" | "status">): CardAction[] {
  switch (card.status) {
    case "active":
      return ["refresh", "sync", "disconnect"];
    case "disconnected":
      // Reconnect needs the provider to be reachable; disconnecting for good is always allowed.
      return card.mode === "unavailable" ? ["disconnect"] : ["reconnect", "disconnect"];
    case "not_connected":
    case "revoked":
      return card.mode === "unavailable" ? [] : ["connect"];
  }
}

/** Providers whose grant broke (failed refresh, revoked at the provider) and need a reconnect. */
export function disconnectedProviders<T extends Pick<ProviderCard, "status">>(cards: readonly T[] | undefined): T[] {
  return cards?.filter((c) => c.status === "disconnected") ?? [];
}
