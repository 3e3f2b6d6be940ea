const PLACEHOLDER_ORIGIN = "http://same-origin.invalid";

/**
 * The path to return to after signing in, if `raw` is a same-origin path ("/accounts?x=1");
 * otherwise "/". Rejects absolute and protocol-relative URLs ("//evil.example", "/\\evil.example"),
 * so a crafted sign-in link cannot send the user to another site.
 */
export function safeCallbackUrl(raw: unknown, fallback = "/"): string {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > 2048) return fallback;
  if (!raw.startsWith("/") || raw.startsWith("//")) return fallback;
  // Browsers read "\" as "/" and drop tabs/newlines, which would turn "/\evil" into "//evil".
  if (/[\\\u0000-\u001f\u007f]/.test(raw)) return fallback;
  let url: URL;
  try {
    url = new URL(raw, PLACEHOLDER_ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== PLACEHOLDER_ORIGIN) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}
