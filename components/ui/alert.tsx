import type { ReactNode } from "react";
import { cn } from "./cn";

export type AlertTone = "info" | "success" | "warning" | "error";

const tones: Record<AlertTone, { box: string; icon: string; symbol: string }> = {
  info: { box: "border-sky-200 bg-sky-50 text-sky-900", icon: "text-sky-600", symbol: "i" },
  success: { box: "border-emerald-200 bg-emerald-50 text-emerald-900", icon: "text-emerald-600", symbol: "✓" },
  warning: { box: "border-amber-200 bg-amber-50 text-amber-900", icon: "text-amber-600", symbol: "!" },
  error: { box: "border-red-200 bg-red-50 text-red-900", icon: "text-red-600", symbol: "!" },
};

export interface AlertProps {
  tone?: AlertTone;
  title: ReactNode;
  children?: ReactNode;
  /** Buttons shown on the right (or below on small screens). */
  actions?: ReactNode;
  onDismiss?: () => void;
  /** "alert" announces the panel to screen readers at once; "status" politely. */
  role?: "alert" | "status";
  className?: string;
}

export function Alert({ tone = "info", title, children, actions, onDismiss, role = "alert", className }: AlertProps) {
  const t = tones[tone];
  return (
    <div
      role={role}
      className={cn("flex flex-col gap-3 rounded-xl border p-4 sm:flex-row sm:items-start", t.box, className)}
    >
      <span
        aria-hidden="true"
        className={cn(
          "flex h-6 w-6 shrink-0 items-center justify-center rounded-full bg-white text-sm font-bold ring-1 ring-current/20",
          t.icon,
        )}
      >
        {t.symbol}
      </span>
      <div className="min-w-0 flex-1">
        <p className="font-semibold">{title}</p>
        {children && <div className="mt-1 text-sm opacity-90">{children}</div>}
      </div>
      {(actions || onDismiss) && (
        <div className="flex shrink-0 items-center gap-2">
          {actions}
          {onDismiss && (
            <button
              type="button"
              onClick={onDismiss}
              aria-label="Dismiss"
              className="flex h-8 w-8 items-center justify-center rounded-lg opacity-70 hover:bg-black/5 hover:opacity-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-current"
            >
              <span aria-hidden="true">×</span>
            </button>
          )}
        </div>
      )}
    </div>
  );
}
