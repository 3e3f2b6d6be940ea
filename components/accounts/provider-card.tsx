"use client";

import { formatDistanceToNow } from "date-fns";
import { useState } from "react";
import type { ProviderCard } from "@/components/api-types";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { ConnectButton } from "./connect-button";
import { SyncHistoryButton } from "./sync-history-dialog";
import { cardActions, statusPill, syncingBadge, syncPercent } from "./connection-status";
import { useConnectionActions } from "./use-connection-actions";

function relative(iso: string | null): string | null {
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : formatDistanceToNow(date, { addSuffix: true });
}

export function ProviderLogo({ name, color }: { name: string; color: string }) {
  return (
    <span
      aria-hidden="true"
      className="flex h-10 w-10 shrink-0 items-center justify-center rounded-lg text-base font-bold text-white shadow-inner"
      style={{ backgroundColor: color }}
    >
      {name.slice(0, 1).toUpperCase()}
    </span>
  );
}

export function ProviderCardView({ card }: { card: ProviderCard }) {
  const { sync, refresh, disconnect } = useConnectionActions(card);
  const [confirmOpen, setConfirmOpen] = useState(false);
  const pill = statusPill(card);
  const syncBadge = syncingBadge(card);
  const actions = cardActions(card);
  const lastSynced = relative(card.lastSyncedAt);
  const connectedSince = relative(card.connectedAt);
  const connected = card.status === "active" || card.status === "disconnected";
  const progress = syncPercent(card.latestSync?.progress);
  const headingId = `provider-${card.provider}-name`;

  return (
    <Card className="flex flex-col">
      <section aria-labelledby={headingId} className="flex flex-1 flex-col gap-4 p-5">
        <header className="flex items-start gap-3">
          <ProviderLogo name={card.name} color={card.color} />
          <div className="min-w-0 flex-1">
            <div className="flex flex-wrap items-center gap-2">
              <h2 id={headingId} className="text-base font-semibold text-slate-900">
                {card.name}
              </h2>
              {card.mode === "sandbox" && (
                <Badge tone="sandbox" title="Uses the local sandbox instead of the real provider">
                  Sandbox
                </Badge>
              )}
            </div>
            <p className="mt-0.5 text-sm text-slate-600">{card.description}</p>
          </div>
          <div className="flex shrink-0 flex-col items-end gap-1">
            <Badge tone={pill.tone}>{pill.label}</Badge>
            {syncBadge && <Badge tone={syncBadge.tone}>{syncBadge.label}</Badge>}
          </div>
        </header>

        {card.status === "active" && card.syncing && (
          <div
            role="progressbar"
            aria-label={`${card.name} sync progress`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={progress}
            className="h-1.5 overflow-hidden rounded-full bg-slate-100"
          >
            <div
              className="h-full rounded-full bg-sky-500 transition-[width] duration-500"
              style={{ width: `${Math.max(progress, 3)}%` }}
            />
          </div>
        )}

        <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1.5 text-sm">
          <dt className="text-slate-500">Syncs</dt>
          <dd className="text-slate-800">{card.dataSummary}</dd>
          {connected && (
            <>
              <dt className="text-slate-500">Updates</dt>
              <dd className="text-slate-800">{card.updates === "webhooks" ? "instant (webhooks)" : "every 2 h"}</dd>
            </>
          )}
          {connected && (
            <>
              <dt className="text-slate-500">Last synced</dt>
              <dd className="text-slate-800">
                {lastSynced ? (
                  <time dateTime={card.lastSyncedAt ?? undefined} title={card.lastSyncedAt ?? undefined}>
                    {lastSynced}
                  </time>
                ) : (
                  "Not yet"
                )}
              </dd>
              {connectedSince && (
                <>
                  <dt className="text-slate-500">Connected since</dt>
                  <dd className="text-slate-800">
                    <time dateTime={card.connectedAt ?? undefined}>{connectedSince}</time>
                  </dd>
                </>
              )}
              {card.unavailableCollections.length > 0 && (
                <>
                  <dt className="text-slate-500">Not syncing</dt>
                  <dd>
                    <ul aria-label={`${card.name} unavailable data`} className="space-y-0.5 text-slate-700">
                      {card.unavailableCollections.map((u) => (
                        <li key={u.collection}>
                          <code className="rounded bg-amber-50 px-1.5 py-0.5 text-xs text-amber-900">
                            {u.collection}
                          </code>{" "}
                          <span className="text-xs text-slate-600">{u.reason}</span>
                        </li>
                      ))}
                    </ul>
                  </dd>
                </>
              )}
              {card.scopes.length > 0 && (
                <>
                  <dt className="text-slate-500">Access granted</dt>
                  <dd>
                    <ul aria-label={`${card.name} granted scopes`} className="flex flex-wrap gap-1">
                      {card.scopes.map((scope) => (
                        <li key={scope}>
                          <code className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-700">{scope}</code>
                        </li>
                      ))}
                    </ul>
                  </dd>
                </>
              )}
            </>
          )}
        </dl>

        {card.providerWarning && (
          <p role="status" className="rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-900">
            <span className="font-medium">Provider problem: </span>
            {card.providerWarning}
          </p>
        )}

        {card.lastError && (
          <p className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800">
            <span className="font-medium">Last error: </span>
            {card.lastError}
          </p>
        )}

        {card.mode === "unavailable" && (
          <p className="rounded-lg bg-slate-50 px-3 py-2 text-sm text-slate-600">
            {card.name} is not configured on this server. Set its client credentials in the server environment, or turn
            on the sandbox (<code className="text-xs">ENABLE_SANDBOX=true</code>), to connect it.
          </p>
        )}

        {actions.length > 0 && (
          <div className="mt-auto flex flex-wrap items-center gap-2 border-t border-slate-100 pt-4">
            {actions.includes("connect") && <ConnectButton provider={card} />}
            {actions.includes("reconnect") && (
              <ConnectButton provider={card} label="Reconnect" ariaLabel={`Reconnect ${card.name}`} />
            )}
            {actions.includes("refresh") && (
              <Button
                variant="secondary"
                size="icon"
                aria-label={`Refresh ${card.name} tokens`}
                title={`Refresh ${card.name} tokens`}
                pending={refresh.isPending}
                onClick={() => refresh.mutate()}
              >
                {!refresh.isPending && <span aria-hidden="true">⟳</span>}
              </Button>
            )}
            {actions.includes("sync") && (
              <Button
                variant="secondary"
                pending={sync.isPending}
                disabled={card.syncing}
                title={card.syncing ? "A sync is already running" : undefined}
                onClick={() => sync.mutate()}
              >
                Sync now
              </Button>
            )}
            {card.status !== "not_connected" && <SyncHistoryButton card={card} />}
            {actions.includes("disconnect") && (
              <Button
                variant="ghost"
                className="ml-auto text-red-700 hover:bg-red-50"
                onClick={() => setConfirmOpen(true)}
              >
                Disconnect
              </Button>
            )}
          </div>
        )}
      </section>

      <ConfirmDialog
        open={confirmOpen}
        onOpenChange={setConfirmOpen}
        title={`Disconnect ${card.name}?`}
        description={
          <>
            We will revoke this app&apos;s access at {card.name} (where {card.name} allows it) and stop syncing. Data
            already synced stays on your dashboard, and you can connect again at any time.
          </>
        }
        confirmLabel="Disconnect"
        pending={disconnect.isPending}
        onConfirm={() => disconnect.mutate(undefined, { onSuccess: () => setConfirmOpen(false) })}
      />
    </Card>
  );
}
