/**
 * The security headers of every response, built in one place: the constant ones are set by
 * next.config.ts for every path (static files included), the per-request Content-Security-Policy
 * (with its nonce) and HSTS (which depends on the runtime APP_URL) by proxy.ts.
 */

export interface CspOptions {
  /** A fresh random value per request; Next.js puts it on the scripts it renders. */
  nonce: string;
  /** `next dev`: React's refresh and error overlay need eval. Never in production. */
  development: boolean;
  appUrl: URL;
}

/** 16 random bytes, base64: unguessable and valid in a CSP `'nonce-…'` source. */
export function createNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

export function contentSecurityPolicy({ nonce, development, appUrl }: CspOptions): string {
  const directives: Record<string, string[]> = {
    "default-src": ["'self'"],
    // 'strict-dynamic': the nonce-bearing Next.js bootstrap may load the page's chunks; nothing else runs.
    "script-src": ["'self'", `'nonce-${nonce}'`, "'strict-dynamic'", ...(development ? ["'unsafe-eval'"] : [])],
    // Recharts (and Radix/sonner) set style="" attributes at run time, which a nonce cannot cover;
    // inline styles cannot run code, so this is the accepted trade-off.
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'"],
    // 'self' includes the same-origin WebSocket that `next dev` uses for hot reloading.
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    // Our forms (and the sandbox consent form) post to this origin; the OAuth hop to a provider is
    // a script navigation, not a form submission, so it needs no entry here.
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
  };
  const policy = Object.entries(directives).map(([name, sources]) => `${name} ${sources.join(" ")}`);
  if (appUrl.protocol === "https:") policy.push("upgrade-insecure-requests");
  return policy.join("; ");
}

/** Headers that never change at run time: set on every response by next.config.ts. */
export const STATIC_SECURITY_HEADERS: ReadonlyArray<{ key: string; value: string }> = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  // Legacy twin of frame-ancestors for browsers without CSP 2.
  { key: "X-Frame-Options", value: "DENY" },
  {
    key: "Permissions-Policy",
    value:
      "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()",
  },
];

/** Two years, subdomains included: only ever sent when APP_URL is https. */
export const HSTS_VALUE = "max-age=63072000; includeSubDomains";

/** The headers proxy.ts adds to a response: the CSP, and HSTS when the app is served over https. */
export function dynamicSecurityHeaders(options: CspOptions): Record<string, string> {
  const headers: Record<string, string> = { "Content-Security-Policy": contentSecurityPolicy(options) };
  if (options.appUrl.protocol === "https:") headers["Strict-Transport-Security"] = HSTS_VALUE;
  return headers;
}
