import { disconnectConnection, listProviderCards } from "@/lib/connections/service";
import { detail, json, withSession } from "@/lib/http/handlers";

// DELETE /api/v1/connections/{provider} → revoke at the provider where possible, stop syncing and
// forget tokens; history is kept. `revocation` says whether the provider confirmed.
export const DELETE = withSession<{ provider: string }>(async ({ user, params }) => {
  const revocation = await disconnectConnection(user.id, params.provider);
  if (!revocation) return detail(404, "Not connected");
  const card = (await listProviderCards(user.id)).find((c) => c.provider === params.provider);
  return json({ ...card, revocation });
});
