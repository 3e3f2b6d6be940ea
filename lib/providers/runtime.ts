import { appUrl, liveProviderCredentials } from "@/lib/config";
import { servedSandbox } from "@/lib/sandbox";
import { getProvider } from "./index";
import type { OAuth2Endpoints, OAuth2Provider, Provider, SessionEndpoints, SessionProvider } from "./types";

/**
 * How a provider is reached right now: its live API when `<ID>_CLIENT_ID` and `<ID>_CLIENT_SECRET`
 * are set, otherwise its local sandbox (when sandboxes are enabled). Switching to the real
 * provider is a configuration change, never a code change.
 */
export type ProviderMode = "live" | "sandbox" | "unavailable";

interface RuntimeBase {
  mode: Exclude<ProviderMode, "unavailable">;
  clientId: string;
  clientSecret: string;
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
  return servedSandbox(providerId) ? "sandbox" : "unavailable";
}

export function callbackUrl(providerId: string): string {
  return appUrl(`/api/v1/oauth/${providerId}/callback`);
}

export function resolveProvider(providerId: string): ProviderRuntime | undefined {
  const provider: Provider | undefined = getProvider(providerId);
  if (!provider) return undefined;
  const live = liveProviderCredentials(providerId);
  const sandbox = servedSandbox(providerId);
  let base: RuntimeBase & { endpoints: OAuth2Endpoints | SessionEndpoints };
  if (live) {
    base = { mode: "live", ...live, endpoints: provider.endpoints };
  } else if (sandbox) {
    base = {
      mode: "sandbox",
      clientId: sandbox.clientId,
      clientSecret: sandbox.clientSecret,
      endpoints: sandbox.endpoints(appUrl(`/sandbox/${providerId}`)),
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
