import { scheduledUploadsEnabled, uploadScheduledSandboxDays } from "@/lib/sandbox/webhooks/schedule";
import { defineJob } from "../define";

/**
 * Development only: every 30 minutes each sandbox account that something listens to "uploads"
 * its next day (at most two days ahead of the clock), and the sandbox delivers the notifications
 * the minute after, so a dev server sees webhooks arrive without anyone pressing a button.
 */
export default defineJob({
  id: "upload-sandbox-days",
  trigger: { cron: "*/30 * * * *" },
  retries: 0,
  handler: async ({ step }) => {
    if (!scheduledUploadsEnabled()) return { uploaded: [] };
    return { uploaded: await step.run("upload-next-days", () => uploadScheduledSandboxDays()) };
  },
});
