import { nextAuthHandler } from "@/lib/auth/next-auth-handler";
import { detail, withSameOrigin } from "@/lib/http/handlers";

type Context = { params: Promise<{ nextauth: string[] }> };

// next-auth's sign-in, sign-out, session and CSRF endpoints (sign-in attempts are limited: 429).
// Its POSTs must also come from our pages: next-auth's double-submit CSRF cookie does not stop a
// same-site page on another port (cookies ignore ports).
const POST = withSameOrigin(nextAuthHandler);

// next-auth throws (a 500) on a GET of the credentials callback, which only exists as a POST.
async function GET(request: Request, context: Context): Promise<Response> {
  const [action, provider] = (await context.params).nextauth;
  if (action === "callback" && provider === "credentials") {
    const response = detail(405, "Sign in by POST");
    response.headers.set("allow", "POST");
    return response;
  }
  return nextAuthHandler(request, context);
}

export { GET, POST };
