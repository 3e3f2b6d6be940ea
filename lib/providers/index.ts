import { oura } from "./oura";
import { garmin } from "./garmin";
import { withings } from "./withings";
import { whoop } from "./whoop";
import type { Provider } from "./types";

/**
 * Every provider the product supports. Adding a provider means adding its module (and its
 * sandbox in lib/sandbox) and one entry here; routes, jobs and the Accounts page read this map.
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
