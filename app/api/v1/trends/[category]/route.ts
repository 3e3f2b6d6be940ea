import { detail, json, withSession } from "@/lib/http/handlers";
import { isCategoryId, parseRange, RANGES } from "@/lib/metrics/categories";
import { getTrendDetail } from "@/lib/metrics/trends";

// GET /api/v1/trends/{category}?range=7|30|90|365 → the category's detail view data
export const GET = withSession<{ category: string }>(async ({ request, user, params }) => {
  if (!isCategoryId(params.category)) return detail(404, `Unknown category '${params.category}'`);
  const range = parseRange(new URL(request.url).searchParams.get("range"));
  if (range === null) return detail(400, `range must be one of ${RANGES.join(", ")}`);
  return json(await getTrendDetail(user.id, params.category, range));
});
