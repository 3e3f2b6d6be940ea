import { deleteProviderDataRoute, providerDataRoute } from "@/lib/account/http";
import { withSession } from "@/lib/http/handlers";

// GET /api/v1/connections/{provider}/data → {provider, name, connected, days, rows} (what a deletion would remove)
export const GET = withSession(providerDataRoute);

// DELETE /api/v1/connections/{provider}/data → {revocation, deletedDays, deletedRows}: disconnects
// (revoking at the provider) and deletes the connection, its sync history and every metric row from it.
export const DELETE = withSession(deleteProviderDataRoute);
