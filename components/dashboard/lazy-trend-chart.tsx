"use client";

import dynamic from "next/dynamic";
import { ChartPlaceholder } from "@/components/charts/chart-placeholder";
import { useInView } from "@/components/charts/use-in-view";
import type { TrendChartProps } from "./trend-chart";

const HEIGHT = 160;

// recharts is about 110 kB gzip: it is fetched only once a chart is near the screen, never in the page's first load.
const TrendChart = dynamic(() => import("./trend-chart").then((m) => m.TrendChart), {
  ssr: false,
  loading: () => <ChartPlaceholder height={HEIGHT} />,
});

export function LazyTrendChart(props: TrendChartProps) {
  const [ref, inView] = useInView<HTMLDivElement>();
  return (
    <div ref={ref} style={{ minHeight: HEIGHT }}>
      {inView ? <TrendChart {...props} /> : <ChartPlaceholder height={HEIGHT} />}
    </div>
  );
}
