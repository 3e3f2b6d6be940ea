import { detail, json, readJson, validationError, withSession } from "@/lib/http/handlers";
import { setSourcePriority, sourcePriorityInput } from "@/lib/metrics/source-priority";

// PUT /api/v1/settings/source-priority {metric, providers: string[] | null} → {metric, providers}
export const PUT = withSession(async ({ request, user }) => {
  const input = sourcePriorityInput.safeParse(await readJson(request));
  if (!input.success) return validationError(input.error, "body");
  const metric = input.data.metric;
  const result = await setSourcePriority(user.id, metric, input.data.providers);
  if (!result.ok) return detail(400, result.detail);
  return json({ metric, providers: result.order });
});
