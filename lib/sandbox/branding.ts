import { getProvider } from "@/lib/providers";
import type { ProviderBranding } from "@/lib/providers/types";

/**
 * How each sandbox's consent page looks, so it reads like that provider's own screen: declared by
 * the provider module (`branding`), a neutral look for a provider that declares none.
 */
export type SandboxBranding = ProviderBranding;

export function sandboxBranding(providerId: string): SandboxBranding {
  const provider = getProvider(providerId);
  return (
    provider?.branding ?? {
      name: provider?.name ?? providerId.charAt(0).toUpperCase() + providerId.slice(1),
      page: "bg-slate-900 text-slate-100",
      card: "bg-slate-800 border border-white/10",
      muted: "text-slate-400",
      primaryButton: "bg-white text-slate-900 hover:bg-slate-200",
      secondaryButton: "border border-white/20 text-slate-100 hover:bg-white/10",
      input: "bg-slate-900 border border-white/20 text-slate-100",
    }
  );
}
