import type { Metadata } from "next";
import { headers } from "next/headers";
import { AccountSection } from "@/components/settings/account-section";
import { YourDataSection } from "@/components/settings/your-data-section";
import { providerDataSummaries } from "@/lib/account/provider-data";
import { SettingsView } from "@/components/settings/settings-view";
import { requireUser } from "@/lib/auth/session";
import { CATEGORIES, CATEGORY_IDS } from "@/lib/metrics/categories";
import { getUnitPreference } from "@/lib/metrics/preferences";
import { getSourcePriorities, providerName, reorderableMetrics } from "@/lib/metrics/source-priority";
import { localeFromAcceptLanguage, unitSystemForLocale } from "@/lib/metrics/units";
import { defaultSourcePriority } from "@/lib/metrics/sources";
import { METRICS } from "@/lib/metrics/vocabulary";

export const metadata: Metadata = { title: "Settings" };

const named = (ids: readonly string[]) => ids.map((provider) => ({ provider, name: providerName(provider) }));

export default async function SettingsPage() {
  const user = await requireUser("/settings");
  const locale = localeFromAcceptLanguage((await headers()).get("accept-language"));
  const [priorities, unitSystem, providerData] = await Promise.all([
    getSourcePriorities(user.id),
    getUnitPreference(user.id),
    providerDataSummaries(user.id),
  ]);
  const order = (category: string) => CATEGORY_IDS.indexOf(category as (typeof CATEGORY_IDS)[number]);
  const rows = reorderableMetrics()
    .sort((a, b) => order(METRICS[a].category) - order(METRICS[b].category))
    .map((metric) => ({
      metric,
      label: METRICS[metric].label,
      category: CATEGORIES[METRICS[metric].category].title,
      order: named(priorities.order(metric)),
      defaultOrder: named(defaultSourcePriority(metric)),
      custom: priorities.isCustom(metric),
    }));
  return (
    <div className="flex flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Settings</h1>
        <p className="mt-1 text-sm text-slate-600">Units, and which device to believe for each metric.</p>
      </div>
      <SettingsView unitSystem={unitSystem} automaticUnits={unitSystemForLocale(locale)} priorities={rows} />
      <YourDataSection providers={providerData} />
      <AccountSection email={user.email} />
    </div>
  );
}
