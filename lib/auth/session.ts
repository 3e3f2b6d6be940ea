import { decode } from "next-auth/jwt";
import { cache } from "react";
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
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      // A malformed cookie is no session (not a 500).
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** The session version a token carries (`sv`); tokens issued before versions existed carry none, i.e. 0. */
export function tokenSessionVersion(payload: object): number {
  const sv = (payload as { sv?: unknown }).sv;
  return typeof sv === "number" ? sv : 0;
}

/**
 * The user a next-auth session token belongs to, if it is valid, the user still exists and the
 * token's session version is the user's current one ("sign out everywhere" and a password change
 * bump it, ending every session issued before).
 */
async function userOfSessionToken(token: string | undefined): Promise<SessionUser | null> {
  if (!token) return null;
  const payload = await decode({ token, secret: config().nextAuthSecret }).catch(() => null);
  if (!payload?.sub) return null;
  const user = await findUserById(payload.sub);
  if (!user || user.sessionVersion !== tokenSessionVersion(payload)) return null;
  return { id: user.id, email: user.email };
}

/** The signed-in user of a request, from next-auth's session cookie (route handlers, tests). */
export function sessionUser(request: Request): Promise<SessionUser | null> {
  const header = request.headers.get("cookie");
  return userOfSessionToken(SESSION_COOKIES.map((name) => readCookie(header, name)).find(Boolean));
}

/**
 * Server components: the signed-in user, or null. Cached per request, so the layout and the page
 * share one lookup.
 */
export const currentUser = cache(async (): Promise<SessionUser | null> => {
  const { cookies } = await import("next/headers");
  const jar = await cookies();
  return userOfSessionToken(SESSION_COOKIES.map((name) => jar.get(name)?.value).find(Boolean));
});

/** Server components: the signed-in user, or a redirect to sign-in that comes back to `returnTo`. */
export async function requireUser(returnTo = "/"): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) {
    const { redirect } = await import("next/navigation");
    return redirect(`/sign-in?callbackUrl=${encodeURIComponent(returnTo)}`);
  }
  return user;
}
