import { oura } from "./oura";
import { garmin } from "./garmin";
import { withings } from "./withings";
import { whoop } from "./whoop";
import type { Provider } from "./types";

/**
 * Every provider the product supports: the one provider registry. Adding a provider means adding
 * its module and one entry here (and, for a local stand-in, its sandbox and one entry in
 * lib/sandbox/index.ts). Routes, jobs, source priority, the README table, the consent pages and
 * the Accounts page all derive from the modules listed here (lib/providers/registry.test.ts).
 */
export const providers: Record<string, Provider> = Object.fromEntries(
  [oura, withings, whoop, garmin].map((p) => [p.id, p]),
);

export function getProvider(id: string): Provider | undefined {
  return Object.hasOwn(providers, id) ? providers[id] : undefined;
}

export function listProviders(): Provider[] {
  return Object.values(providers);
}
