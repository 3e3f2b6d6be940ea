import type { ComponentType } from "react";
import type { ProviderCard } from "@/components/api-types";

/**
 * A connect dialog for a provider that signs in with a one-time credential session. It gets the
 * provider's card (id for the /api/v1/session/{provider}/… routes, name, mode), so one dialog
 * serves every provider whose module declares its kind.
 */
export type SessionConnectDialog = ComponentType<{
  provider: ProviderCard;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}>;
