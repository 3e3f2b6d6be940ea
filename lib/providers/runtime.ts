import { appUrl, config, liveProviderCredentials } from "@/lib/config";
import { getProvider } from "./index";
import type {
  ClientCredentials,
  OAuth2Endpoints,
  OAuth2Provider,
  Provider,
  ProviderApi,
  SessionEndpoints,
  SessionProvider,
} from "./types";

/**
 * How a provider is reached right now: its live API when `<ID>_CLIENT_ID` and `<ID>_CLIENT_SECRET`
 * are set, otherwise its local sandbox (when sandboxes are enabled and the module declares one).
 * Both are configuration: the sandbox's address is `${APP_URL}/sandbox/<id>` and its client is
 * declared by the provider module, so nothing here imports the sandbox. Switching to the real
 * provider is a configuration change, never a code change.
 */
export type ProviderMode = "live" | "sandbox" | "unavailable";

/** The client credentials of the runtime are what session hooks and the OAuth engine present. */
interface RuntimeBase extends ClientCredentials {
  mode: Exclude<ProviderMode, "unavailable">;
}

export interface OAuth2Runtime extends RuntimeBase {
  provider: OAuth2Provider;
  endpoints: OAuth2Endpoints;
  redirectUri: string;
}

export interface SessionRuntime extends RuntimeBase {
  provider: SessionProvider;
  endpoints: SessionEndpoints;
}

export type ProviderRuntime = OAuth2Runtime | SessionRuntime;

export function providerMode(providerId: string): ProviderMode {
  if (liveProviderCredentials(providerId)) return "live";
  return config().sandboxEnabled && getProvider(providerId)?.sandbox ? "sandbox" : "unavailable";
}

export function callbackUrl(providerId: string): string {
  return appUrl(`/api/v1/oauth/${providerId}/callback`);
}

/**
 * Where a provider posts notifications: `${APP_URL}/api/v1/webhooks/<id>`, plus the connection's
 * token for providers whose notifications are not signed (Withings).
 */
export function webhookCallbackUrl(providerId: string, token?: string): string {
  return appUrl(`/api/v1/webhooks/${providerId}${token === undefined ? "" : `/${token}`}`);
}

/** Absolute base URL of a provider's sandbox, e.g. http://localhost:3000/sandbox/oura. */
export function sandboxBaseUrl(providerId: string): string {
  return appUrl(`/sandbox/${providerId}`);
}

export function resolveProvider(providerId: string): ProviderRuntime | undefined {
  const provider: Provider | undefined = getProvider(providerId);
  if (!provider) return undefined;
  const live = liveProviderCredentials(providerId);
  let base: RuntimeBase & { endpoints: OAuth2Endpoints | SessionEndpoints };
  if (live) {
    base = { mode: "live", ...live, endpoints: provider.endpoints };
  } else if (providerMode(providerId) === "sandbox" && provider.sandbox) {
    const { clientId, clientSecret } = provider.sandbox;
    base = {
      mode: "sandbox",
      clientId,
      clientSecret,
      endpoints: provider.sandbox.endpoints(sandboxBaseUrl(providerId)),
    };
  } else {
    return undefined;
  }
  if (provider.kind === "oauth2") {
    return { ...base, provider, endpoints: base.endpoints as OAuth2Endpoints, redirectUri: callbackUrl(providerId) };
  }
  return { ...base, provider, endpoints: base.endpoints as SessionEndpoints };
}

export function isOAuth2Runtime(runtime: ProviderRuntime): runtime is OAuth2Runtime {
  return runtime.provider.kind === "oauth2";
}

/**
 * Revokes every subscription of this app's (any token under our callback URL) that the user has at
 * the provider; other apps' subscriptions are left alone. Returns how many were revoked.
 */
export async function revokeOurConnectionSubscriptions(providerId: string, api: ProviderApi): Promise<number> {
  const subscriptions = getProvider(providerId)?.webhooks?.connectionSubscriptions;
  if (!subscriptions) return 0;
  const prefix = `${webhookCallbackUrl(providerId)}/`;
  let revoked = 0;
  for (const old of await subscriptions.list(api)) {
    if (!old.callbackUrl.startsWith(prefix)) continue;
    await subscriptions.revoke(api, old.callbackUrl, old.topic);
    revoked++;
  }
  return revoked;
}
