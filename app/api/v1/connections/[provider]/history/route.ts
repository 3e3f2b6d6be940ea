import { syncHistoryRoute } from "@/lib/account/http";
import { withSession } from "@/lib/http/handlers";

// GET /api/v1/connections/{provider}/history?cursor=…&limit=20 → {runs (newest first), nextCursor,
// monthly (pruned runs counted per month and kind)}; 404 when not connected, 400 for a forged cursor.
export const GET = withSession(syncHistoryRoute);
