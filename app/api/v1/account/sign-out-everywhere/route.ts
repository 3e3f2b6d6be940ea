import { signOutEverywhereRoute } from "@/lib/auth/account-http";
import { withSession } from "@/lib/http/handlers";

// POST /api/v1/account/sign-out-everywhere → 200 {detail}; every session of the user ends, this one too.
export const POST = withSession(signOutEverywhereRoute);
