"use client";

import { useQuery } from "@tanstack/react-query";
import { Suspense } from "react";
import { DisconnectedBanner } from "@/components/disconnected-banner";
import { connectionsQuery } from "@/components/queries";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { CallbackAlert } from "./callback-alert";
import { ProviderCardView } from "./provider-card";

function ProviderCardSkeleton() {
  return (
    <Card className="flex flex-col gap-4 p-5">
      <div className="flex items-start gap-3">
        <Skeleton className="h-10 w-10 rounded-lg" />
        <div className="flex-1 space-y-2">
          <Skeleton className="h-4 w-24" />
          <Skeleton className="h-3 w-3/4" />
        </div>
        <Skeleton className="h-5 w-20 rounded-full" />
      </div>
      <Skeleton className="h-3 w-2/3" />
      <Skeleton className="h-8 w-32" />
    </Card>
  );
}

export function AccountsView() {
  const { data, isPending, isError, error, refetch, isRefetching } = useQuery(connectionsQuery());

  return (
    <div className="flex flex-col gap-6">
      <Suspense fallback={null}>
        <CallbackAlert />
      </Suspense>
      <DisconnectedBanner />

      {isPending ? (
        <div aria-busy="true" aria-label="Loading accounts" className="grid gap-4 md:grid-cols-2">
          {Array.from({ length: 4 }, (_, i) => (
            <ProviderCardSkeleton key={i} />
          ))}
        </div>
      ) : isError ? (
        <Alert
          tone="error"
          title="Could not load your accounts"
          actions={
            <Button variant="secondary" size="sm" pending={isRefetching} onClick={() => refetch()}>
              Retry
            </Button>
          }
        >
          {error.message}
        </Alert>
      ) : (
        <div className="grid gap-4 md:grid-cols-2">
          {data.connections.map((card) => (
            <ProviderCardView key={card.provider} card={card} />
          ))}
        </div>
      )}

      <p className="text-sm text-slate-500">
        Connecting with OAuth happens on the provider&apos;s own site: we never see your password, receive only the
        access you approve, and keep the tokens encrypted. Disconnecting stops future syncs and keeps the history you
        have.
      </p>
    </div>
  );
}
