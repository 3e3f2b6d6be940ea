"use client";

import { useState } from "react";
import { toast } from "sonner";
import type { ProviderCard } from "@/components/api-types";
import { Button, type ButtonSize, type ButtonVariant } from "@/components/ui/button";
import { hasSessionConnectDialog, sessionConnectDialogs } from "./session-dialogs";
import { startConnect } from "./start-connect";

export interface ConnectButtonProps {
  provider: ProviderCard;
  /** Visible label; defaults to "Connect <Name>". */
  label?: string;
  /** Accessible name when the visible label alone is ambiguous (e.g. "Reconnect Oura"). */
  ariaLabel?: string;
  variant?: ButtonVariant;
  size?: ButtonSize;
}

/**
 * Connect / Reconnect / Try again: an OAuth provider goes to its authorisation page; a session
 * provider opens its registered dialog. Renders nothing when the provider cannot be connected
 * here (unavailable, or a session provider without a dialog).
 */
export function ConnectButton({ provider, label, ariaLabel, variant = "primary", size = "sm" }: ConnectButtonProps) {
  const [redirecting, setRedirecting] = useState(false);
  const [dialogOpen, setDialogOpen] = useState(false);
  const text = label ?? `Connect ${provider.name}`;

  if (provider.mode === "unavailable") return null;

  if (provider.kind === "session") {
    const kind = provider.connectDialog;
    if (!hasSessionConnectDialog(kind)) return null;
    // Read straight from the module-level registry, so React sees a static component, not one made during render.
    const Dialog = sessionConnectDialogs[kind];
    return (
      <>
        <Button variant={variant} size={size} aria-label={ariaLabel} onClick={() => setDialogOpen(true)}>
          {text}
        </Button>
        <Dialog provider={provider} open={dialogOpen} onOpenChange={setDialogOpen} />
      </>
    );
  }

  async function connect() {
    setRedirecting(true);
    try {
      await startConnect(provider.provider);
      // Stay pending: the browser is leaving for the provider's page.
    } catch (error) {
      setRedirecting(false);
      toast.error(`Could not start connecting ${provider.name}`, {
        description: error instanceof Error ? error.message : undefined,
      });
    }
  }

  return (
    <Button variant={variant} size={size} aria-label={ariaLabel} pending={redirecting} onClick={connect}>
      {text}
    </Button>
  );
}
