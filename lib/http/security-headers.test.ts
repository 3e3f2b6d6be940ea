import { describe, expect, it } from "vitest";
import {
  contentSecurityPolicy,
  createNonce,
  dynamicSecurityHeaders,
  HSTS_VALUE,
  STATIC_SECURITY_HEADERS,
} from "./security-headers";

const http = new URL("http://localhost:3000");
const https = new URL("https://wearables.example");

/** The policy as a map of directive → sources. */
function directives(policy: string): Record<string, string[]> {
  return Object.fromEntries(
    policy.split(";").map((part) => {
      const [name = "", ...sources] = part.trim().split(/\s+/);
      return [name, sources];
    }),
  );
}

describe("contentSecurityPolicy", () => {
  const production = directives(contentSecurityPolicy({ nonce: "abc123==", development: false, appUrl: http }));

  it("allows scripts only with this request's nonce (and what they load), never eval in production", () => {
    expect(production["script-src"]).toEqual(["'self'", "'nonce-abc123=='", "'strict-dynamic'"]);
    expect(Object.values(production).flat()).not.toContain("'unsafe-eval'");
    expect(production["script-src"]).not.toContain("'unsafe-inline'");
  });

  it("forbids framing, plugins, foreign forms and base-URL tricks", () => {
    expect(production["frame-ancestors"]).toEqual(["'none'"]);
    expect(production["object-src"]).toEqual(["'none'"]);
    expect(production["base-uri"]).toEqual(["'self'"]);
    expect(production["form-action"]).toEqual(["'self'"]);
    expect(production["default-src"]).toEqual(["'self'"]);
    expect(production["connect-src"]).toEqual(["'self'"]);
  });

  it("allows inline style attributes (charts) but no foreign styles", () => {
    expect(production["style-src"]).toEqual(["'self'", "'unsafe-inline'"]);
  });

  it("adds unsafe-eval only for next dev", () => {
    const dev = directives(contentSecurityPolicy({ nonce: "n", development: true, appUrl: http }));
    expect(dev["script-src"]).toContain("'unsafe-eval'");
  });

  it("upgrades insecure requests only when the app is served over https", () => {
    expect(production["upgrade-insecure-requests"]).toBeUndefined();
    const secure = directives(contentSecurityPolicy({ nonce: "n", development: false, appUrl: https }));
    expect(secure["upgrade-insecure-requests"]).toEqual([]);
  });
});

describe("security headers", () => {
  it("static headers: nosniff, referrer policy, no framing, a restrictive permissions policy", () => {
    const headers = Object.fromEntries(STATIC_SECURITY_HEADERS.map(({ key, value }) => [key, value]));
    expect(headers).toMatchObject({
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "strict-origin-when-cross-origin",
      "X-Frame-Options": "DENY",
    });
    for (const feature of ["camera", "microphone", "geolocation", "payment", "usb"]) {
      expect(headers["Permissions-Policy"]).toContain(`${feature}=()`);
    }
  });

  it("sends HSTS only when APP_URL is https", () => {
    expect(dynamicSecurityHeaders({ nonce: "n", development: false, appUrl: http })).not.toHaveProperty(
      "Strict-Transport-Security",
    );
    expect(dynamicSecurityHeaders({ nonce: "n", development: false, appUrl: https })).toMatchObject({
      "Strict-Transport-Security": HSTS_VALUE,
    });
  });

  it("nonces are fresh, 128-bit and base64", () => {
    const nonces = new Set(Array.from({ length: 100 }, createNonce));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) expect(Buffer.from(nonce, "base64")).toHaveLength(16);
  });
});
