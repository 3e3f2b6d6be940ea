import { deleteAccountRoute } from "@/lib/account/http";
import { withSession } from "@/lib/http/handlers";

// POST /api/v1/account/delete {email} → 200 {detail, revocations: [{provider, status, detail}]}; every
// connection revoked at its provider, every row of the user deleted, this browser signed out. 422 when
// the email typed is not the account's.
export const POST = withSession(deleteAccountRoute, { json: true });
