import { refuseCrossSite } from "@/lib/http/handlers";
import { handleSandboxRequest } from "@/lib/sandbox";

// /sandbox/<provider>/<path…>: a provider's local sandbox (OAuth token endpoint, data API…).
// 404 unless sandboxes are enabled and the provider has no live client credentials.

export const dynamic = "force-dynamic";

interface Context {
  params: Promise<{ provider: string; path: string[] }>;
}

// The consent decision: a person's answer on the provider's own page, which only that page may
// post (as a real provider's CSRF protection ensures). The form is our page, so its origin is ours.
const CONSENT_DECISION = new Set(["oauth/decision", "oauth/authorize"]);

async function dispatch(request: Request, { params }: Context): Promise<Response> {
  const { provider, path } = await params;
  if (CONSENT_DECISION.has(path.join("/"))) {
    const refused = refuseCrossSite(request, { json: false });
    if (refused) return refused;
  }
  return handleSandboxRequest(provider, request, path);
}

export const GET = dispatch;
export const POST = dispatch;
export const PUT = dispatch;
export const DELETE = dispatch;
export const HEAD = dispatch;
