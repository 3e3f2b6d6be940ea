import { nextAuthHandler } from "@/lib/auth/next-auth-handler";

// next-auth's sign-in, sign-out, session and CSRF endpoints (sign-in attempts are limited: 429).
export { nextAuthHandler as GET, nextAuthHandler as POST };
