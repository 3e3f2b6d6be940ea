import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { config } from "@/lib/config";
import { verifyCredentials } from "./users";

export const SESSION_MAX_AGE_S = 30 * 24 * 60 * 60;

/** next-auth: email + password (argon2id) with a signed JWT session cookie. */
export function authOptions(): NextAuthOptions {
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
        authorize: (credentials) => verifyCredentials(credentials?.email, credentials?.password),
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) token.sub = user.id;
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
