import { disconnectConnection, listProviderCards } from "@/lib/connections/service";
import { detail, json, withSession } from "@/lib/http/handlers";

// DELETE /api/v1/connections/{provider} → stop syncing and forget tokens; history is kept
export const DELETE = withSession<{ provider: string }>(async ({ user, params }) => {
  if (!(await disconnectConnection(user.id, params.provider))) return detail(404, "Not connected");
  const card = (await listProviderCards(user.id)).find((c) => c.provider === params.provider);
  return json(card);
});
