/**
 * The one rule for "where may we send the browser next" (sign-in's callbackUrl, the OAuth
 * callback's return path): a path on this app, never another origin.
 *
 * The input is resolved against the app's origin the way a browser would (WHATWG URL: "\" read as
 * "/", tabs and newlines dropped, "%2e" segments collapsed), and the *result* is judged: same
 * origin, no user info, and a pathname that a browser could not read as protocol-relative
 * ("/.//evil" normalises to "//evil", which on its own would be another host). What comes back is
 * the normalised path + query + hash, so what was checked is exactly what is sent.
 */

export const MAX_REDIRECT_LENGTH = 2048;

// Control characters, and backslashes, which some browsers and URL parsers read as "/": refused
// outright rather than left for a parser to interpret.
const SUSPICIOUS = /[\u0000-\u001f\u007f\\]/;

/**
 * The same-origin path for `raw`, or null when `raw` could lead anywhere else (or is not a string,
 * is empty, or is longer than {@link MAX_REDIRECT_LENGTH}). Accepts a path ("/accounts?x=1#y") or
 * an absolute URL on exactly `appOrigin` ("http://localhost:3000/accounts").
 */
export function sameOriginPath(raw: unknown, appOrigin: string | URL): string | null {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > MAX_REDIRECT_LENGTH) return null;
  if (SUSPICIOUS.test(raw)) return null;
  const origin = new URL(appOrigin).origin;
  // Only a rooted path or an absolute URL of our own origin; "evil.example", "https:x" and
  // "javascript:…" are not paths, whatever a resolver makes of them.
  if (!raw.startsWith("/") && !(raw === origin || raw.startsWith(`${origin}/`) || raw.startsWith(`${origin}?`)))
    return null;
  let url: URL;
  try {
    url = new URL(raw, origin);
  } catch {
    return null;
  }
  if (url.origin !== origin || url.username || url.password) return null;
  // After normalisation the path itself must not read as "//host" or "/\host" when used as a Location.
  if (url.pathname.startsWith("//") || url.pathname.startsWith("/\\")) return null;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // Belt and braces: the value we hand out must itself resolve to this origin.
  if (new URL(path, origin).origin !== origin) return null;
  return path;
}
