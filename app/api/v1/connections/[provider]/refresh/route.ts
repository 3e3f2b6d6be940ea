import { findConnection, listProviderCards } from "@/lib/connections/service";
import { ConnectionUnavailableError, refreshConnectionTokens } from "@/lib/connections/tokens";
import { detail, json, withSession } from "@/lib/http/handlers";
import { ProviderAuthError, ProviderError } from "@/lib/providers/errors";

// POST /api/v1/connections/{provider}/refresh → the ⟳ button: force a token refresh now
export const POST = withSession<{ provider: string }>(async ({ user, params }) => {
  const connection = await findConnection(user.id, params.provider);
  if (!connection || connection.status !== "active")
    return detail(409, "Connect this provider first (or reconnect it)");
  try {
    await refreshConnectionTokens(connection.id);
  } catch (error) {
    if (error instanceof ProviderAuthError) return detail(409, `${error.message}. Reconnect to resume syncing.`);
    if (error instanceof ConnectionUnavailableError || error instanceof ProviderError)
      return detail(502, error.message);
    throw error;
  }
  return json((await listProviderCards(user.id)).find((c) => c.provider === params.provider));
});
