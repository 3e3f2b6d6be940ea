"use client";

import dynamic from "next/dynamic";
import type { ComponentProps } from "react";
import { ChartPlaceholder } from "@/components/charts/chart-placeholder";
import { useInView } from "@/components/charts/use-in-view";
import type {
  HeadlineChart as HeadlineChartType,
  Sparkline as SparklineType,
  StagesChart as StagesChartType,
} from "./trend-charts";

// Heights repeated here so the placeholders do not pull in the chart module.
const HEADLINE_HEIGHT = 280;
const STAGES_HEIGHT = 240;
const SPARKLINE_HEIGHT = 72;

// recharts is fetched only once a chart is near the screen.
const HeadlineChart = dynamic(() => import("./trend-charts").then((m) => m.HeadlineChart), {
  ssr: false,
  loading: () => <ChartPlaceholder height={HEADLINE_HEIGHT} />,
});
const StagesChart = dynamic(() => import("./trend-charts").then((m) => m.StagesChart), {
  ssr: false,
  loading: () => <ChartPlaceholder height={STAGES_HEIGHT} />,
});
const Sparkline = dynamic(() => import("./trend-charts").then((m) => m.Sparkline), {
  ssr: false,
  loading: () => <ChartPlaceholder height={SPARKLINE_HEIGHT} />,
});

function WhenInView({ height, children }: { height: number; children: React.ReactNode }) {
  const [ref, inView] = useInView<HTMLDivElement>();
  return (
    <div ref={ref} style={{ minHeight: height }}>
      {inView ? children : <ChartPlaceholder height={height} />}
    </div>
  );
}

export function LazyHeadlineChart(props: ComponentProps<typeof HeadlineChartType>) {
  return (
    <WhenInView height={HEADLINE_HEIGHT}>
      <HeadlineChart {...props} />
    </WhenInView>
  );
}

export function LazyStagesChart(props: ComponentProps<typeof StagesChartType>) {
  return (
    <WhenInView height={STAGES_HEIGHT}>
      <StagesChart {...props} />
    </WhenInView>
  );
}

export function LazySparkline(props: ComponentProps<typeof SparklineType>) {
  return (
    <WhenInView height={SPARKLINE_HEIGHT}>
      <Sparkline {...props} />
    </WhenInView>
  );
}
