import { recordUploadedDay } from "../uploads";
import { enqueueSandboxDeliveries } from "./deliveries";
import { webhookAccounts, webhookProviders } from "./providers";

/**
 * The "upload a new day" control: the account's next local day of data comes into existence (see
 * `../uploads.ts`) and the provider's notifications for what changed are queued for every active
 * subscription or registered URL of that account. Sending them is the delivery loop's work
 * (`deliverDueSandboxWebhooks`), which the caller may run at once.
 */
export class UnknownSandboxAccountError extends Error {
  override name = "UnknownSandboxAccountError";
}

export interface UploadedDay {
  provider: string;
  account: string;
  day: string;
  /** Deliveries queued (one per notification and receiving URL). */
  queued: number;
}

export async function uploadSandboxDay(provider: string, accountId: string): Promise<UploadedDay> {
  const behaviour = webhookProviders[provider];
  const account = webhookAccounts(provider).find((a) => a.id === accountId);
  if (!behaviour || !account) throw new UnknownSandboxAccountError(`No ${provider} sandbox account ${accountId}.`);
  const { day, previousNow, now } = await recordUploadedDay(provider, accountId, account.timeZone);
  const owed = await behaviour.notificationsFor(accountId, previousNow, now);
  const queued = await enqueueSandboxDeliveries(provider, owed);
  return { provider, account: accountId, day, queued: queued.length };
}
