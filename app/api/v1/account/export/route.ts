import { exportRoute } from "@/lib/account/http";
import { withSession } from "@/lib/http/handlers";

// GET /api/v1/account/export?format=csv|json → "Download my data": a ZIP of CSV files (metrics,
// connections, sync-history, sync-history-monthly) or one JSON document, streamed, named with the date.
export const GET = withSession(exportRoute);
