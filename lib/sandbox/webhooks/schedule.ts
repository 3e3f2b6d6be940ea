import { config, type AppConfig } from "@/lib/config";
import { providerMode } from "@/lib/providers/runtime";
import { sandboxNow } from "../clock";
import { daysBetween, localDay } from "../data-generator";
import { dataNowFor, latestUploadedDay } from "../uploads";
import { deliverDueSandboxWebhooks, type DeliveryReport } from "./deliveries";
import { uploadSandboxDay, type UploadedDay } from "./new-day";
import { webhookAccounts, webhookProviders } from "./providers";

/** The sandboxes that push webhooks and are served right now (sandboxes enabled, no live credentials). */
export function servedWebhookSandboxes(): string[] {
  return Object.keys(webhookProviders).filter((provider) => providerMode(provider) === "sandbox");
}

/** Sends what is due for every served sandbox: the delivery loop's one tick. */
export async function deliverServedSandboxWebhooks(): Promise<DeliveryReport> {
  const providers = servedWebhookSandboxes();
  if (providers.length === 0) return { delivered: 0, retrying: 0, dropped: 0 };
  return deliverDueSandboxWebhooks({ providers });
}

/** New days arrive by themselves only in development, never in tests or production. */
export function scheduledUploadsEnabled(cfg: Pick<AppConfig, "env" | "sandboxEnabled"> = config()): boolean {
  return cfg.env === "development" && cfg.sandboxEnabled;
}

/**
 * The development schedule: every account that has something listening (a subscription, or a
 * grant where the provider notifies by grant) uploads its next day, as long as its data runs at
 * most `maxDaysAhead` days ahead of the sandbox's own clock, so a long-running dev server keeps
 * receiving days without its data drifting far into the future.
 */
export async function uploadScheduledSandboxDays(maxDaysAhead = 2): Promise<UploadedDay[]> {
  const uploaded: UploadedDay[] = [];
  for (const provider of servedWebhookSandboxes()) {
    const behaviour = webhookProviders[provider]!;
    for (const account of webhookAccounts(provider)) {
      if (!(await behaviour.hasReceivers(account.id))) continue;
      const dataNow = dataNowFor(await latestUploadedDay(provider, account.id), account.timeZone);
      const ahead = daysBetween(localDay(sandboxNow(), account.timeZone), localDay(dataNow, account.timeZone));
      if (ahead >= maxDaysAhead) continue;
      uploaded.push(await uploadSandboxDay(provider, account.id));
    }
  }
  return uploaded;
}
