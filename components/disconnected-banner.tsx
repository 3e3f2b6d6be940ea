"use client";

import { useQuery } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import { disconnectedProviders } from "@/components/accounts/connection-status";
import { connectionsQuery } from "@/components/queries";
import { Alert } from "@/components/ui/alert";

// The connect flows (dialogs, Garmin sign-in) are loaded only when a banner shows, not in the dashboard's first load.
const ConnectButton = dynamic(() => import("@/components/accounts/connect-button").then((m) => m.ConnectButton));

/** One banner per connection whose grant broke (failed refresh or revoked at the provider). */
export function DisconnectedBanner() {
  const { data } = useQuery(connectionsQuery());
  const broken = disconnectedProviders(data?.connections);
  if (broken.length === 0) return null;

  return (
    <div className="flex flex-col gap-3">
      {broken.map((card) => (
        <Alert
          key={card.provider}
          tone="warning"
          title={`${card.name} is disconnected. We can't sync new data until you reconnect.`}
          actions={<ConnectButton provider={card} label="Reconnect" />}
        >
          {card.lastError ?? undefined}
        </Alert>
      ))}
    </div>
  );
}
