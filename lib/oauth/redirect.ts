/**
 * Where the OAuth callback may send the user afterwards: a path on this app, never another origin
 * (no open redirect). Absolute URLs are accepted only when they point at APP_URL's origin.
 */
export const DEFAULT_REDIRECT_PATH = "/accounts";

export function safeRedirectPath(input: string | null | undefined, appOrigin: string): string | null {
  if (input === null || input === undefined || input === "") return DEFAULT_REDIRECT_PATH;
  if (input.length > 512 || /[\u0000-\u001f\\]/.test(input)) return null;
  let url: URL;
  try {
    // Resolving against a sentinel origin turns protocol-relative ("//evil") and odd schemes into other origins.
    url = new URL(input, appOrigin);
  } catch {
    return null;
  }
  if (url.origin !== new URL(appOrigin).origin) return null;
  if (!input.startsWith("/") && !input.startsWith(appOrigin)) return null;
  return `${url.pathname}${url.search}${url.hash}`;
}
