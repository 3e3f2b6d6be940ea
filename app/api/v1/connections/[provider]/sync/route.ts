import { requestManualSync } from "@/lib/connections/backfill";
import { detail, json, withSession } from "@/lib/http/handlers";

// POST /api/v1/connections/{provider}/sync → 202 { sync_run_id }
export const POST = withSession<{ provider: string }>(async ({ user, params }) => {
  const syncRunId = await requestManualSync(user.id, params.provider);
  if (!syncRunId) return detail(409, "Connect this provider first (or reconnect it)");
  return json({ sync_run_id: syncRunId }, { status: 202 });
});
