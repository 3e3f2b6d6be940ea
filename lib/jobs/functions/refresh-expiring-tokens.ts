import { refreshConnectionTokens } from "@/lib/connections/tokens";
import { connectionsWithExpiringTokens } from "@/lib/sync/schedule";
import { defineJob } from "../define";

const WITHIN_MS = 60 * 60 * 1000;

/**
 * Refreshes tokens that expire within the hour, so syncs and webhooks find working tokens. A
 * refused refresh marks that connection disconnected (the banner asks the user to Reconnect).
 */
export default defineJob({
  id: "refresh-expiring-tokens",
  trigger: { cron: "*/30 * * * *" },
  retries: 2,
  handler: async ({ step }) => {
    const ids = await step.run("find-expiring-connections", () => connectionsWithExpiringTokens(WITHIN_MS));
    const outcomes: Record<string, string> = {};
    for (const id of ids) {
      outcomes[id] = await step.run(`refresh-${id}`, async () => {
        try {
          await refreshConnectionTokens(id);
          return "refreshed";
        } catch (error) {
          return (error as Error).name;
        }
      });
    }
    return outcomes;
  },
});
