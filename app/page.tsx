import { dehydrate, HydrationBoundary, QueryClient } from "@tanstack/react-query";
import type { Metadata } from "next";
import { headers } from "next/headers";
import { DashboardView } from "@/components/dashboard/dashboard-view";
import { SaveBrowserTimeZone } from "@/components/layout/save-time-zone";
import { queryKeys } from "@/components/queries";
import type { TilesResponse } from "@/components/api-types";
import { requireUser } from "@/lib/auth/session";
import { displayContext } from "@/lib/metrics/preferences";
import { getDashboardTiles } from "@/lib/metrics/tiles";
import { getTimeZone, userTodayAt } from "@/lib/metrics/time-zone";
import { localeFromAcceptLanguage } from "@/lib/metrics/units";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const user = await requireUser("/");
  const locale = localeFromAcceptLanguage((await headers()).get("accept-language"));
  const [timeZone, display] = await Promise.all([getTimeZone(user.id), displayContext(user.id, locale)]);
  const tiles = await getDashboardTiles(user.id, userTodayAt(timeZone));
  // The tiles are rendered into the HTML and handed to the client's query cache, which keeps them fresh.
  const queryClient = new QueryClient();
  queryClient.setQueryData<TilesResponse>(queryKeys.dashboardTiles, { tiles });
  return (
    <div className="flex flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Your trends</h1>
        <p className="mt-1 text-sm text-slate-600">
          The last 30 days of each category, from your preferred source. Open a tile for its details.
        </p>
      </div>
      <SaveBrowserTimeZone saved={timeZone} />
      <HydrationBoundary state={dehydrate(queryClient)}>
        <DashboardView display={display} />
      </HydrationBoundary>
    </div>
  );
}
