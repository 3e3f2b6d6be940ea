import { deliverServedSandboxWebhooks } from "@/lib/sandbox/webhooks/schedule";
import { defineJob } from "../define";

/**
 * Every minute: the provider sandboxes send the notifications they owe the app (new days, and
 * retries with each provider's backoff). Does nothing unless a sandbox that pushes webhooks is
 * served; several instances may run it at once (rows are claimed with SKIP LOCKED).
 */
export default defineJob({
  id: "deliver-sandbox-webhooks",
  trigger: { cron: "* * * * *" },
  // The next tick is the retry: a failed send is already rescheduled in its row.
  retries: 0,
  handler: async ({ step }) => step.run("deliver-due-notifications", () => deliverServedSandboxWebhooks()),
});
