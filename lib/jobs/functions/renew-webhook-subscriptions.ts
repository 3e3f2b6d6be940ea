import { appSubscriptionProviders, renewExpiringAppSubscriptions } from "@/lib/webhooks/subscriptions";
import { defineJob } from "../define";

/** Daily: renews app-level webhook subscriptions (Oura) that expire within a week, long before they do. */
export default defineJob({
  id: "renew-webhook-subscriptions",
  trigger: { cron: "41 4 * * *" },
  retries: 3,
  async handler({ step }) {
    const providers = await step.run("list-providers", () => Promise.resolve(appSubscriptionProviders()));
    const results: Record<string, { renewed: string[]; recreated: string[] }> = {};
    for (const provider of providers) {
      results[provider] = await step.run(`renew-${provider}`, () => renewExpiringAppSubscriptions(provider));
    }
    return results;
  },
});
