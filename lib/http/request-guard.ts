/**
 * Requests no route of this app can serve, refused before routing (proxy.ts) because Next.js
 * would otherwise fail on them with a 500: a path segment that is not valid percent-encoded
 * UTF-8 (`%`, `%ff`, `%C0%AE`, `%uD800`) cannot be decoded into route params, a decoded NUL or
 * other control character is refused by PostgreSQL, and methods such as TRACE are not HTTP
 * methods a route handler can export.
 */

/** The methods a route handler can export (plus HEAD/OPTIONS, which Next.js answers itself). */
export const ROUTABLE_METHODS: ReadonlySet<string> = new Set([
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "OPTIONS",
]);

// Any ASCII control character (U+0000–U+001F, U+007F): matching them is the point.
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

export interface RequestRefusal {
  status: 400 | 405;
  detail: string;
  headers?: Record<string, string>;
}

/** Why the path is unusable, or undefined when every segment decodes to printable text. */
export function malformedPath(pathname: string): string | undefined {
  for (const segment of pathname.split("/")) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return "Malformed percent-encoding in the request path";
    }
    if (CONTROL_CHARACTER.test(decoded)) return "Invalid characters in the request path";
  }
  return undefined;
}

/** The 4xx answer for a request that must not reach routing, or undefined. */
export function refusedRequest(method: string, url: string): RequestRefusal | undefined {
  if (!ROUTABLE_METHODS.has(method.toUpperCase())) {
    return {
      status: 405,
      detail: `Method ${method} is not allowed`,
      headers: { allow: [...ROUTABLE_METHODS].join(", ") },
    };
  }
  // The raw path: URL keeps percent-escapes as sent (it only encodes what must be).
  const problem = malformedPath(new URL(url).pathname);
  return problem ? { status: 400, detail: problem } : undefined;
}
