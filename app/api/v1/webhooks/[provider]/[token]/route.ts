import { answerProbe, receiveWebhook } from "@/lib/webhooks/receive";

type Context = { params: Promise<{ provider: string; token: string }> };

// POST /api/v1/webhooks/{provider}/{token}: an unsigned notification to a per-connection URL (Withings).
export async function POST(request: Request, context: Context): Promise<Response> {
  const { provider, token } = await context.params;
  return receiveWebhook({ request, providerId: provider, pathToken: token });
}

// HEAD /api/v1/webhooks/{provider}/{token}: the provider's probe when subscribing (Withings).
export async function HEAD(_request: Request, context: Context): Promise<Response> {
  const { provider, token } = await context.params;
  return answerProbe({ providerId: provider, pathToken: token });
}

// GET /api/v1/webhooks/{provider}/{token}: the same probe, for providers that probe with GET.
export const GET = HEAD;
