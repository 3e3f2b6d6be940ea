/**
 * How each sandbox's consent page looks, so it reads like that provider's own screen. Tailwind
 * class names are written out in full so Tailwind's source scan finds them.
 */
export interface SandboxBranding {
  name: string;
  page: string;
  card: string;
  muted: string;
  primaryButton: string;
  secondaryButton: string;
  input: string;
}

const BRANDING: Record<string, SandboxBranding> = {
  whoop: {
    name: "WHOOP",
    page: "bg-black text-neutral-100",
    card: "bg-[#121417] border border-white/10",
    muted: "text-neutral-400",
    primaryButton: "bg-[#00f19f] text-black hover:bg-[#3dffbb]",
    secondaryButton: "border border-white/25 text-neutral-100 hover:bg-white/10",
    input: "bg-black border border-white/25 text-neutral-100",
  },
  withings: {
    name: "Withings",
    page: "bg-[#f4f7f7] text-[#0d1b2a]",
    card: "bg-white border border-[#d7e3e3] shadow-sm",
    muted: "text-slate-500",
    primaryButton: "bg-[#00b2a9] text-white hover:bg-[#009a92]",
    secondaryButton: "border border-[#00b2a9] text-[#00857e] hover:bg-[#e6f7f6]",
    input: "bg-white border border-slate-300 text-[#0d1b2a]",
  },
  oura: {
    name: "Oura",
    page: "bg-[#0b0d12] text-zinc-100",
    card: "bg-[#151922] border border-white/10",
    muted: "text-zinc-400",
    primaryButton: "bg-zinc-100 text-[#0b0d12] hover:bg-white",
    secondaryButton: "border border-white/20 text-zinc-100 hover:bg-white/10",
    input: "bg-[#0b0d12] border border-white/20 text-zinc-100",
  },
};

export function sandboxBranding(providerId: string): SandboxBranding {
  return (
    BRANDING[providerId] ?? {
      name: providerId.charAt(0).toUpperCase() + providerId.slice(1),
      page: "bg-slate-900 text-slate-100",
      card: "bg-slate-800 border border-white/10",
      muted: "text-slate-400",
      primaryButton: "bg-white text-slate-900 hover:bg-slate-200",
      secondaryButton: "border border-white/20 text-slate-100 hover:bg-white/10",
      input: "bg-slate-900 border border-white/20 text-slate-100",
    }
  );
}
