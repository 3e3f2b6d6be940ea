import type { Metadata } from "next";
import { AccountsView } from "@/components/accounts/accounts-view";
import { requireUser } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Accounts" };

export default async function AccountsPage() {
  await requireUser("/accounts");
  return (
    <div className="flex flex-col gap-6">
      <div>
        <nav aria-label="Breadcrumb">
          <ol className="flex items-center gap-1.5 text-sm text-slate-500">
            <li>Sources</li>
            <li aria-hidden="true">›</li>
            <li aria-current="page" className="text-slate-700">
              Accounts
            </li>
          </ol>
        </nav>
        <h1 className="mt-1 text-2xl font-semibold tracking-tight text-slate-900">Accounts</h1>
        <p className="mt-1 text-sm text-slate-600">
          Connect your wearables. On first connect we fetch your last 30 days; after that new data syncs automatically.
        </p>
      </div>
      <AccountsView />
    </div>
  );
}
