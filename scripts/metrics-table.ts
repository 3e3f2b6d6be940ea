import { metricTableMarkdown } from "@/lib/metrics/metric-table";

console.log(metricTableMarkdown());
