import { json, withSession } from "@/lib/http/handlers";
import { getDashboardTiles } from "@/lib/metrics/tiles";

// GET /api/v1/dashboard/tiles → the Sleep and Readiness tiles of the signed-in user
export const GET = withSession(async ({ user }) => json({ tiles: await getDashboardTiles(user.id) }));
