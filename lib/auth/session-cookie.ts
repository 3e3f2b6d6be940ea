import { encode } from "next-auth/jwt";
import type { NextResponse } from "next/server";
import { config } from "@/lib/config";
import { sessionCookieName, SESSION_MAX_AGE_S } from "./options";

/** The user a session cookie is issued for; `sessionVersion` is the user's current one (users.session_version). */
export interface SessionSubject {
  id: string;
  email: string;
  sessionVersion: number;
}

/** next-auth's session token for `user`, as its credentials callback would issue it (with the session version). */
export function encodeSessionToken(user: SessionSubject): Promise<string> {
  return encode({
    token: { sub: user.id, email: user.email, sv: user.sessionVersion },
    secret: config().nextAuthSecret,
    maxAge: SESSION_MAX_AGE_S,
  });
}

const cookieAttributes = () => ({
  httpOnly: true,
  sameSite: "lax" as const,
  path: "/",
  secure: config().appUrl.protocol === "https:",
});

/** Sets next-auth's session cookie for `user` on `response` (sign-in forms, re-issue after a password change). */
export async function setSessionCookie<R extends NextResponse>(response: R, user: SessionSubject): Promise<R> {
  response.cookies.set(sessionCookieName(), await encodeSessionToken(user), {
    ...cookieAttributes(),
    maxAge: SESSION_MAX_AGE_S,
  });
  return response;
}

/** Removes the session cookie (this browser is signed out). */
export function clearSessionCookie<R extends NextResponse>(response: R): R {
  response.cookies.set(sessionCookieName(), "", { ...cookieAttributes(), maxAge: 0 });
  return response;
}
