import { nextAuthHandler } from "@/lib/auth/next-auth-handler";
import { withSameOrigin } from "@/lib/http/handlers";

// next-auth's sign-in, sign-out, session and CSRF endpoints (sign-in attempts are limited: 429).
// Its POSTs must also come from our pages: next-auth's double-submit CSRF cookie does not stop a
// same-site page on another port (cookies ignore ports).
const POST = withSameOrigin(nextAuthHandler);

export { nextAuthHandler as GET, POST };
