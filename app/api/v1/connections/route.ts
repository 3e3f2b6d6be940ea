import { listProviderCards } from "@/lib/connections/service";
import { json, withSession } from "@/lib/http/handlers";

// GET /api/v1/connections → every provider with the user's connection state
export const GET = withSession(async ({ user }) => json({ connections: await listProviderCards(user.id) }));
