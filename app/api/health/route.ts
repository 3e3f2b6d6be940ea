import { sql } from "drizzle-orm";
import { getDb } from "@/lib/db/client";

// GET /api/health: liveness plus a database round trip, for load balancers and uptime checks.
export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  try {
    const db = await getDb();
    await db.execute(sql`select 1`);
    return Response.json({ status: "ok" }, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    // The cause goes to the server log only: the public answer must not reveal connection details.
    console.error("Health check: database unreachable:", error instanceof Error ? error.message : error);
    return Response.json(
      { status: "error", error: "database unreachable" },
      { status: 503, headers: { "cache-control": "no-store" } },
    );
  }
}
