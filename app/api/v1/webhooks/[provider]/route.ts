import { answerVerification, receiveWebhook } from "@/lib/webhooks/receive";

type Context = { params: Promise<{ provider: string }> };

// POST /api/v1/webhooks/{provider}: a signed notification (Oura, WHOOP).
export async function POST(request: Request, context: Context): Promise<Response> {
  const { provider } = await context.params;
  return receiveWebhook({ request, providerId: provider });
}

// GET /api/v1/webhooks/{provider}?verification_token=…&challenge=…: the provider's callback check (Oura).
export async function GET(request: Request, context: Context): Promise<Response> {
  const { provider } = await context.params;
  return answerVerification({ providerId: provider, url: new URL(request.url) });
}

// HEAD /api/v1/webhooks/{provider}: as GET, without a body.
export async function HEAD(request: Request, context: Context): Promise<Response> {
  const response = await GET(request, context);
  return new Response(null, { status: response.status, headers: response.headers });
}
