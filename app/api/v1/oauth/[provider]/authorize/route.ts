import { z } from "zod";
import { detail, json, validationError, withSession } from "@/lib/http/handlers";
import {
  InvalidRedirectError,
  NotOAuthProviderError,
  ProviderUnavailableError,
  startOAuthConnect,
  UnknownProviderError,
} from "@/lib/connections/oauth-flow";

const query = z.object({ redirect_uri: z.string().max(512).optional() });

// GET /api/v1/oauth/{provider}/authorize[?redirect_uri=/path] → { authorization_url, state }
export const GET = withSession<{ provider: string }>(async ({ request, user, params }) => {
  const parsed = query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) return validationError(parsed.error, "query");
  try {
    const { authorizationUrl, state } = await startOAuthConnect({
      userId: user.id,
      providerId: params.provider,
      redirectUri: parsed.data.redirect_uri,
    });
    return json({ authorization_url: authorizationUrl, state });
  } catch (error) {
    if (error instanceof UnknownProviderError) return detail(404, error.message);
    if (error instanceof NotOAuthProviderError) return detail(400, error.message);
    if (error instanceof ProviderUnavailableError) return detail(503, error.message);
    if (error instanceof InvalidRedirectError) {
      return json(
        { detail: [{ type: "value_error", loc: ["query", "redirect_uri"], msg: error.message }] },
        { status: 422 },
      );
    }
    throw error;
  }
});
