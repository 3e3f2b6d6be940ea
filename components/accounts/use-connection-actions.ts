"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { apiFetch } from "@/components/api-fetch";
import type { DisconnectResponse, ProviderCard } from "@/components/api-types";
import { queryKeys } from "@/components/queries";

type Target = Pick<ProviderCard, "provider" | "name">;

function connectionPath(provider: string, action?: "sync" | "refresh"): string {
  const base = `/api/v1/connections/${encodeURIComponent(provider)}`;
  return action ? `${base}/${action}` : base;
}

function errorText(error: unknown): string | undefined {
  return error instanceof Error ? error.message : undefined;
}

/** Sync now, token refresh (⟳) and disconnect for one provider card, with toasts. */
export function useConnectionActions(target: Target) {
  const queryClient = useQueryClient();
  const invalidate = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: queryKeys.connections }),
      queryClient.invalidateQueries({ queryKey: queryKeys.dashboard }),
    ]);

  const sync = useMutation({
    mutationFn: () => apiFetch<{ sync_run_id: string }>(connectionPath(target.provider, "sync"), { method: "POST" }),
    onSuccess: async () => {
      toast.success(`Syncing ${target.name}`, { description: "New data appears on your dashboard as it arrives." });
      await invalidate();
    },
    onError: (error) => toast.error(`Could not sync ${target.name}`, { description: errorText(error) }),
  });

  const refresh = useMutation({
    mutationFn: () => apiFetch<ProviderCard>(connectionPath(target.provider, "refresh"), { method: "POST" }),
    onSuccess: async () => {
      toast.success(`${target.name} tokens refreshed`);
      await invalidate();
    },
    onError: async (error) => {
      toast.error(`Could not refresh ${target.name} tokens`, { description: errorText(error) });
      // A failed refresh may have marked the connection disconnected.
      await invalidate();
    },
  });

  const disconnect = useMutation({
    mutationFn: () => apiFetch<DisconnectResponse>(connectionPath(target.provider), { method: "DELETE" }),
    onSuccess: async ({ revocation }) => {
      // A revocation the provider did not confirm still disconnects here; the toast says so.
      if (revocation?.status === "failed") {
        toast.warning(`${target.name} disconnected here`, {
          description: `${revocation.detail} Your synced history is kept.`,
        });
      } else {
        toast.success(`${target.name} disconnected`, {
          description: `${revocation?.status === "revoked" ? "Access revoked at the provider. " : ""}Your synced history is kept.`,
        });
      }
      await invalidate();
    },
    onError: (error) => toast.error(`Could not disconnect ${target.name}`, { description: errorText(error) }),
  });

  return { sync, refresh, disconnect };
}
