import type { ComponentType } from "react";
import { GarminConnectDialog } from "./garmin-connect-dialog";

/** A connect dialog for a provider that signs in with a one-time credential session (Garmin). */
export type SessionConnectDialog = ComponentType<{ open: boolean; onOpenChange: (open: boolean) => void }>;

/**
 * Session-kind providers' connect dialogs, by provider id. The Connect/Reconnect button of a
 * session provider opens the dialog registered here; without one the button is not shown.
 * Register a dialog by adding it to this map, e.g. `garmin: GarminConnectDialog`.
 */
export const sessionConnectDialogs: Record<string, SessionConnectDialog> = {
  garmin: GarminConnectDialog,
};
