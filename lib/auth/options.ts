import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { config } from "@/lib/config";
import { clientAddress } from "@/lib/http/client-address";
import { RateLimitedError } from "@/lib/rate-limit/limits";
import { tokenSessionVersion } from "./session";
import { findUserById, verifyCredentials } from "./users";

export const SESSION_MAX_AGE_S = 30 * 24 * 60 * 60;

/** The session cookie next-auth sets and reads: `__Secure-` prefixed when APP_URL is https. */
export function sessionCookieName(): string {
  return config().appUrl.protocol === "https:" ? "__Secure-next-auth.session-token" : "next-auth.session-token";
}

/**
 * next-auth: email + password (argon2id) with a signed JWT session cookie. Built per request:
 * `onRateLimited` hears when the sign-in was refused by a limit (next-auth itself can only answer
 * 401), so the route can answer 429 with Retry-After.
 */
export function authOptions(hooks: { onRateLimited?: (error: RateLimitedError) => void } = {}): NextAuthOptions {
  const cfg = config();
  // next-auth builds its own URLs from NEXTAUTH_URL; ours come from APP_URL.
  process.env.NEXTAUTH_URL ??= cfg.appUrl.origin;
  return {
    secret: cfg.nextAuthSecret,
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_S },
    pages: { signIn: "/sign-in" },
    providers: [
      CredentialsProvider({
        id: "credentials",
        name: "Email",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        authorize: async (credentials, request) => {
          try {
            return await verifyCredentials(credentials?.email, credentials?.password, clientAddress(request?.headers));
          } catch (error) {
            if (error instanceof RateLimitedError) hooks.onRateLimited?.(error);
            throw error;
          }
        },
      }),
    ],
    callbacks: {
      // The session version travels in the token (`sv`). On every later read (next-auth's session
      // endpoint) one indexed lookup checks it is still the user's: a stale one throws, and
      // next-auth then answers an empty session and clears the cookie.
      async jwt({ token, user }) {
        if (user) {
          token.sub = user.id;
          token.sv = (user as { sessionVersion?: number }).sessionVersion ?? 0;
          return token;
        }
        const current = token.sub ? await findUserById(token.sub) : undefined;
        if (!current || current.sessionVersion !== tokenSessionVersion(token)) throw new Error("Session ended");
        return token;
      },
      session({ session, token }) {
        if (session.user && token.sub) (session.user as { id?: string }).id = token.sub;
        return session;
      },
    },
    logger: {
      // next-auth's default logger can print request details; keep only the error code.
      error: (code) => console.error(`[auth] ${code}`),
      warn: (code) => console.warn(`[auth] ${code}`),
      debug: () => {},
    },
  };
}
