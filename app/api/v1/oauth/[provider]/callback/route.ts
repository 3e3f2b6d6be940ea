import { sessionUser } from "@/lib/auth/session";
import { appUrl } from "@/lib/config";
import { completeOAuthCallback, signInToResumeCallback } from "@/lib/connections/oauth-flow";

function seeOther(path: string): Response {
  return new Response(null, { status: 303, headers: { location: appUrl(path), "cache-control": "no-store" } });
}

// GET /api/v1/oauth/{provider}/callback?code&state | ?error&state — the provider's redirect, a
// top-level cross-site GET navigation (so no Origin check here). It needs the session of the user
// who started the flow; without one it sends the person to sign in and back, consuming nothing.
export async function GET(request: Request, { params }: { params: Promise<{ provider: string }> }) {
  const { provider } = await params;
  const search = new URL(request.url).searchParams;
  const user = await sessionUser(request);
  if (!user) return seeOther(signInToResumeCallback(provider, search));
  const outcome = await completeOAuthCallback({
    providerId: provider,
    code: search.get("code"),
    state: search.get("state"),
    error: search.get("error"),
    sessionUserId: user.id,
  });
  return seeOther(outcome.redirectTo);
}
