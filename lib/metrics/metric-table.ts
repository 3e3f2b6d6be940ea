import { listProviders } from "@/lib/providers";
import { defaultSourcePriority } from "./sources";
import { METRICS, type MetricName } from "./vocabulary";

/**
 * The README's metric table, built from the vocabulary and each provider module's `metricFields`,
 * so the documentation cannot drift from the code (`npm run docs:metrics` prints it).
 */
export function metricTableMarkdown(): string {
  const providers = listProviders();
  const header = ["Metric", "Unit", "Source priority", ...providers.map((p) => p.name)];
  const lines = [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`];
  for (const [name, def] of Object.entries(METRICS) as Array<[MetricName, (typeof METRICS)[MetricName]]>) {
    const supplied = providers.filter((p) => p.metricFields[name]);
    if (supplied.length === 0) continue;
    const priority = defaultSourcePriority(name, providers).map((id) => providers.find((p) => p.id === id)!.name);
    const cells = providers.map((p) => (p.metricFields[name] ? `\`${p.metricFields[name]}\`` : ""));
    lines.push(`| ${def.label} (\`${name}\`) | ${def.unit} | ${priority.join(" › ")} | ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}
