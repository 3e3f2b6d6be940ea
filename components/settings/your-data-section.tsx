"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { apiFetch } from "@/components/api-fetch";
import { Button, buttonClasses } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";

export interface ProviderDataRow {
  provider: string;
  name: string;
  connected: boolean;
  days: number;
  rows: number;
}

interface Deletion {
  revocation: { status: string; detail: string } | null;
  deletedDays: number;
}

const plural = (n: number, word: string) => `${n.toLocaleString("en")} ${word}${n === 1 ? "" : "s"}`;

function ProviderDataItem({ row }: { row: ProviderDataRow }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState(false);
  const confirm = async () => {
    setPending(true);
    try {
      const result = await apiFetch<Deletion>(`/api/v1/connections/${row.provider}/data`, { method: "DELETE" });
      setOpen(false);
      toast.success(`${row.name}: ${plural(result.deletedDays, "day")} of data deleted`, {
        description: result.revocation?.detail,
      });
      router.refresh();
    } catch (error) {
      toast.error(`Could not delete the ${row.name} data`, {
        description: error instanceof Error ? error.message : undefined,
      });
    } finally {
      setPending(false);
    }
  };
  return (
    <li className="flex flex-wrap items-center justify-between gap-3 py-3">
      <div className="text-sm">
        <span className="font-medium text-slate-900">{row.name}</span>{" "}
        <span className="text-slate-600">
          {plural(row.days, "day")} of data{row.connected ? ", connected" : ""}
        </span>
      </div>
      <Button variant="danger" size="sm" onClick={() => setOpen(true)}>
        Delete {row.name} data
      </Button>
      <ConfirmDialog
        open={open}
        onOpenChange={setOpen}
        title={`Delete your ${row.name} data?`}
        description={
          <p>
            {plural(row.days, "day")} of {row.name} data ({plural(row.rows, "value")}) will be deleted
            {row.connected
              ? `, and ${row.name} will be disconnected (this app's access is revoked at ${row.name})`
              : ""}
            . This cannot be undone.
          </p>
        }
        confirmLabel={`Delete ${plural(row.days, "day")}`}
        onConfirm={() => void confirm()}
        pending={pending}
      />
    </li>
  );
}

/** Settings › Your data: download it, or delete one provider's part of it. */
export function YourDataSection({ providers }: { providers: ProviderDataRow[] }) {
  return (
    <div className="flex flex-col gap-4">
      <h2 className="text-lg font-semibold text-slate-900">Your data</h2>
      <Card>
        <section aria-labelledby="download-heading" className="flex flex-col gap-3 p-5">
          <h3 id="download-heading" className="text-base font-semibold text-slate-900">
            Download my data
          </h3>
          <p className="text-sm text-slate-600">
            Every metric value (day, metric, value, unit, provider), your connections (provider, status, permissions,
            dates; never a token) and your sync history.
          </p>
          <div className="flex flex-wrap gap-2">
            <a href="/api/v1/account/export?format=csv" download className={buttonClasses("secondary")}>
              Download CSV (ZIP)
            </a>
            <a href="/api/v1/account/export?format=json" download className={buttonClasses("secondary")}>
              Download JSON
            </a>
          </div>
        </section>
      </Card>
      <Card>
        <section aria-labelledby="provider-data-heading" className="flex flex-col gap-1 p-5">
          <h3 id="provider-data-heading" className="text-base font-semibold text-slate-900">
            Data by provider
          </h3>
          {providers.length === 0 ? (
            <p className="text-sm text-slate-600">No provider has sent any data yet.</p>
          ) : (
            <ul className="divide-y divide-slate-100">
              {providers.map((row) => (
                <ProviderDataItem key={row.provider} row={row} />
              ))}
            </ul>
          )}
        </section>
      </Card>
    </div>
  );
}
