import { tokenRefreshRequested } from "@/lib/events/definitions";
import { refreshConnectionTokens } from "@/lib/connections/tokens";
import { tokenStillExpiring } from "@/lib/sync/schedule";
import { defineJob } from "../define";
import { ONE_STEP_AT_A_TIME_PER_CONNECTION } from "../flow-control-settings";
import { REFRESH_WITHIN_MS } from "../plan-steps";

/**
 * Refreshes one connection's expiring token. A refused refresh marks that connection
 * disconnected (the banner asks the user to Reconnect); a token a sync refreshed meanwhile is
 * left alone.
 */
export default defineJob({
  id: "refresh-connection-tokens",
  trigger: { event: tokenRefreshRequested },
  retries: 2,
  // Shares the connection's key with the syncs: a refresh never races a sync's own refresh.
  concurrency: ONE_STEP_AT_A_TIME_PER_CONNECTION,
  handler: ({ event, step }) =>
    step.run("refresh-tokens", async () => {
      const { connectionId } = event.data;
      if (!(await tokenStillExpiring(connectionId, new Date(Date.now() + REFRESH_WITHIN_MS)))) return "not-needed";
      try {
        await refreshConnectionTokens(connectionId);
        return "refreshed";
      } catch (error) {
        return (error as Error).name;
      }
    }),
});
