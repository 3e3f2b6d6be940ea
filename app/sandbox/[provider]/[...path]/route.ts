import { handleSandboxRequest } from "@/lib/sandbox";

// /sandbox/<provider>/<path…>: a provider's local sandbox (OAuth token endpoint, data API…).
// 404 unless sandboxes are enabled and the provider has no live client credentials.

export const dynamic = "force-dynamic";

interface Context {
  params: Promise<{ provider: string; path: string[] }>;
}

async function dispatch(request: Request, { params }: Context): Promise<Response> {
  const { provider, path } = await params;
  return handleSandboxRequest(provider, request, path);
}

export const GET = dispatch;
export const POST = dispatch;
export const PUT = dispatch;
export const DELETE = dispatch;
export const HEAD = dispatch;
