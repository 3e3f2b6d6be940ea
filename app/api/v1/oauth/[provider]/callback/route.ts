import { sessionUser } from "@/lib/auth/session";
import { appUrl } from "@/lib/config";
import { completeOAuthCallback } from "@/lib/connections/oauth-flow";

// GET /api/v1/oauth/{provider}/callback?code&state | ?error&state — no session required (the
// state identifies the user), but a signed-in user must be the one who started the flow.
export async function GET(request: Request, { params }: { params: Promise<{ provider: string }> }) {
  const { provider } = await params;
  const search = new URL(request.url).searchParams;
  const user = await sessionUser(request);
  const outcome = await completeOAuthCallback({
    providerId: provider,
    code: search.get("code"),
    state: search.get("state"),
    error: search.get("error"),
    sessionUserId: user?.id,
  });
  return new Response(null, {
    status: 303,
    headers: { location: appUrl(outcome.redirectTo), "cache-control": "no-store" },
  });
}
