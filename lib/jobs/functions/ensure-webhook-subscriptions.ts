import { appSubscriptionProviders, ensureAppSubscriptions } from "@/lib/webhooks/subscriptions";
import { defineJob } from "../define";

/**
 * Hourly, and once shortly after an in-process server starts: creates the app-level webhook
 * subscriptions (Oura) that are missing for our callback URL. Idempotent: a provider that already
 * has them is only read. Runs against the sandbox too, so the demo gets pushed updates.
 */
export default defineJob({
  id: "ensure-webhook-subscriptions",
  trigger: { cron: "23 * * * *" },
  retries: 3,
  async handler({ step }) {
    const providers = await step.run("list-providers", () => Promise.resolve(appSubscriptionProviders()));
    const results: Record<string, { created: string[]; existing: string[] }> = {};
    for (const provider of providers) {
      results[provider] = await step.run(`ensure-${provider}`, () => ensureAppSubscriptions(provider));
    }
    return results;
  },
});
