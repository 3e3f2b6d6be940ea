import { decode } from "next-auth/jwt";
import { config } from "@/lib/config";
import { findUserById } from "./users";

export interface SessionUser {
  id: string;
  email: string;
}

const SESSION_COOKIES = ["__Secure-next-auth.session-token", "next-auth.session-token"];

function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/**
 * The signed-in user of a request, from next-auth's session cookie. Works on any Request (route
 * handlers, tests), and checks the user still exists.
 */
export async function sessionUserFromCookieHeader(cookieHeader: string | null): Promise<SessionUser | null> {
  const token = SESSION_COOKIES.map((name) => readCookie(cookieHeader, name)).find(Boolean);
  if (!token) return null;
  const payload = await decode({ token, secret: config().nextAuthSecret }).catch(() => null);
  if (!payload?.sub) return null;
  return (await findUserById(payload.sub)) ?? null;
}

export function sessionUser(request: Request): Promise<SessionUser | null> {
  return sessionUserFromCookieHeader(request.headers.get("cookie"));
}

async function cookieHeaderFromNext(): Promise<string> {
  const { cookies } = await import("next/headers");
  const jar = await cookies();
  return jar
    .getAll()
    .map((c) => `${c.name}=${encodeURIComponent(c.value)}`)
    .join("; ");
}

/** Server components: the signed-in user, or null. */
export async function currentUser(): Promise<SessionUser | null> {
  return sessionUserFromCookieHeader(await cookieHeaderFromNext());
}

/** Server components: the signed-in user, or a redirect to sign-in that comes back to `returnTo`. */
export async function requireUser(returnTo = "/"): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) {
    const { redirect } = await import("next/navigation");
    return redirect(`/sign-in?callbackUrl=${encodeURIComponent(returnTo)}`);
  }
  return user;
}
