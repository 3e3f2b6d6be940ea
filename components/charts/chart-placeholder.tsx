/** The space a chart takes while its code loads, so nothing below it moves. */
export function ChartPlaceholder({ height, label }: { height: number; label?: string }) {
  return (
    <div
      style={{ height }}
      className="w-full animate-pulse rounded-lg bg-slate-50"
      aria-hidden={label ? undefined : true}
      aria-label={label}
    />
  );
}
