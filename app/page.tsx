import type { Metadata } from "next";
import { DashboardView } from "@/components/dashboard/dashboard-view";
import { requireUser } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  await requireUser("/");
  return (
    <div className="flex flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Your trends</h1>
        <p className="mt-1 text-sm text-slate-600">
          Sleep and readiness over the last 30 days, from your best available source.
        </p>
      </div>
      <DashboardView />
    </div>
  );
}
