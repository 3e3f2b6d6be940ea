"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { apiFetch } from "@/components/api-fetch";
import { queryKeys } from "@/components/queries";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";

export interface PriorityRow {
  metric: string;
  label: string;
  category: string;
  order: { provider: string; name: string }[];
  custom: boolean;
}

type UnitChoice = "metric" | "imperial" | null;

const UNIT_OPTIONS: { value: UnitChoice; label: string; hint: string }[] = [
  { value: null, label: "Automatic", hint: "from your browser's language and region" },
  { value: "metric", label: "Metric", hint: "kg, °C, km" },
  { value: "imperial", label: "Imperial", hint: "lb, °F, mi" },
];

function UnitsCard({ initial, automatic }: { initial: UnitChoice; automatic: "metric" | "imperial" }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [choice, setChoice] = useState<UnitChoice>(initial);
  const [saving, setSaving] = useState(false);
  const save = async (value: UnitChoice) => {
    const previous = choice;
    setChoice(value);
    setSaving(true);
    try {
      await apiFetch("/api/v1/settings/units", { method: "PUT", body: JSON.stringify({ unitSystem: value }) });
      await queryClient.invalidateQueries({ queryKey: queryKeys.dashboard });
      router.refresh();
      toast.success("Units saved");
    } catch (error) {
      setChoice(previous);
      toast.error("Could not save your units", { description: error instanceof Error ? error.message : undefined });
    } finally {
      setSaving(false);
    }
  };
  return (
    <Card>
      <section aria-labelledby="units-heading" className="flex flex-col gap-3 p-5">
        <h2 id="units-heading" className="text-base font-semibold text-slate-900">
          Units
        </h2>
        <fieldset className="flex flex-col gap-2" disabled={saving}>
          <legend className="sr-only">Unit system</legend>
          {UNIT_OPTIONS.map((option) => (
            <label key={option.label} className="flex items-center gap-2 text-sm text-slate-800">
              <input
                type="radio"
                name="unit-system"
                checked={choice === option.value}
                onChange={() => void save(option.value)}
                className="h-4 w-4 accent-indigo-600"
              />
              <span className="font-medium">{option.label}</span>
              <span className="text-slate-500">
                {option.hint}
                {option.value === null && ` (now ${automatic})`}
              </span>
            </label>
          ))}
        </fieldset>
      </section>
    </Card>
  );
}

function PriorityItem({ row }: { row: PriorityRow & { defaultOrder: PriorityRow["order"] } }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [order, setOrder] = useState(row.order);
  const [custom, setCustom] = useState(row.custom);
  const [saving, setSaving] = useState(false);

  const save = async (providers: string[] | null, next: PriorityRow["order"]) => {
    const previous = { order, custom };
    setOrder(next);
    setSaving(true);
    try {
      const saved = await apiFetch<{ providers: string[] }>("/api/v1/settings/source-priority", {
        method: "PUT",
        body: JSON.stringify({ metric: row.metric, providers }),
      });
      setOrder(saved.providers.map((p) => next.find((n) => n.provider === p) ?? { provider: p, name: p }));
      setCustom(providers !== null);
      await queryClient.invalidateQueries({ queryKey: queryKeys.dashboard });
      router.refresh();
    } catch (error) {
      setOrder(previous.order);
      setCustom(previous.custom);
      toast.error(`Could not save the order for ${row.label}`, {
        description: error instanceof Error ? error.message : undefined,
      });
    } finally {
      setSaving(false);
    }
  };

  const move = (index: number, by: -1 | 1) => {
    const next = [...order];
    const [item] = next.splice(index, 1);
    next.splice(index + by, 0, item!);
    void save(
      next.map((n) => n.provider),
      next,
    );
  };

  return (
    <li className="flex flex-col gap-2 border-t border-slate-100 py-3 first:border-t-0 sm:flex-row sm:items-center sm:justify-between">
      <div>
        <h3 className="text-sm font-medium text-slate-900">{row.label}</h3>
        <p className="text-xs text-slate-500">{custom ? "Your order" : "Default order"}</p>
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <ol aria-label={`Source order for ${row.label}`} className="flex flex-wrap items-center gap-1">
          {order.map((source, index) => (
            <li
              key={source.provider}
              className="flex items-center gap-0.5 rounded-md border border-slate-200 bg-slate-50 pl-2 text-sm"
            >
              <span>
                {index + 1}. {source.name}
              </span>
              <button
                type="button"
                disabled={saving || index === 0}
                onClick={() => move(index, -1)}
                aria-label={`Move ${source.name} up for ${row.label}`}
                className="rounded px-1.5 py-0.5 text-slate-600 hover:bg-slate-200 disabled:opacity-30"
              >
                ↑
              </button>
              <button
                type="button"
                disabled={saving || index === order.length - 1}
                onClick={() => move(index, 1)}
                aria-label={`Move ${source.name} down for ${row.label}`}
                className="rounded px-1.5 py-0.5 text-slate-600 hover:bg-slate-200 disabled:opacity-30"
              >
                ↓
              </button>
            </li>
          ))}
        </ol>
        {custom && (
          <Button
            variant="ghost"
            size="sm"
            disabled={saving}
            onClick={() => {
              void save(null, row.defaultOrder);
            }}
          >
            Reset
          </Button>
        )}
      </div>
    </li>
  );
}

export function SettingsView({
  unitSystem,
  automaticUnits,
  priorities,
}: {
  unitSystem: UnitChoice;
  automaticUnits: "metric" | "imperial";
  priorities: (PriorityRow & { defaultOrder: PriorityRow["order"] })[];
}) {
  const categories = [...new Set(priorities.map((p) => p.category))];
  return (
    <div className="flex flex-col gap-6">
      <UnitsCard initial={unitSystem} automatic={automaticUnits} />
      <Card>
        <section aria-labelledby="priority-heading" className="flex flex-col gap-2 p-5">
          <h2 id="priority-heading" className="text-base font-semibold text-slate-900">
            Source priority
          </h2>
          <p className="text-sm text-slate-600">
            When several of your devices measure the same thing, the dashboard and the detail views show the first
            source in this order that has data, and name the others.
          </p>
          {categories.map((category) => (
            <div key={category} className="mt-3">
              <h3 className="text-xs font-semibold tracking-wide text-slate-500 uppercase">{category}</h3>
              <ul>
                {priorities
                  .filter((p) => p.category === category)
                  .map((row) => (
                    <PriorityItem key={row.metric} row={row} />
                  ))}
              </ul>
            </div>
          ))}
        </section>
      </Card>
    </div>
  );
}
