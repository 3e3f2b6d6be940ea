import type { SessionDialogKind } from "@/lib/providers/types";
import { GarminConnectDialog } from "./garmin-connect-dialog";
import type { SessionConnectDialog } from "./session-dialog-props";

export type { SessionConnectDialog };

/**
 * One connect dialog per dialog kind (not per provider): a session provider's module declares its
 * `connectDialog` kind, the card carries it, and the Connect/Reconnect button opens the dialog of
 * that kind. The record is complete by type, so a new kind cannot be forgotten here.
 */
export const sessionConnectDialogs: Record<SessionDialogKind, SessionConnectDialog> = {
  garmin: GarminConnectDialog,
};

/** Whether a card's `connectDialog` names a dialog this client has. */
export function hasSessionConnectDialog(kind: string | null): kind is SessionDialogKind {
  return kind !== null && Object.hasOwn(sessionConnectDialogs, kind);
}
