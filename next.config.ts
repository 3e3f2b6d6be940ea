import type { NextConfig } from "next";
import { STATIC_SECURITY_HEADERS } from "./lib/http/security-headers";

const nextConfig: NextConfig = {
  // PGlite ships WebAssembly and data files that must be loaded from node_modules, not bundled.
  // rate-limiter-flexible's Drizzle store imports drizzle-orm by a computed name, which a bundle cannot follow.
  serverExternalPackages: ["@electric-sql/pglite", "@node-rs/argon2", "rate-limiter-flexible"],
  poweredByHeader: false,
  // Lets a test build live beside a development server's `.next` without clobbering it.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // nosniff, Referrer-Policy, Permissions-Policy, X-Frame-Options on every response; the CSP
  // (per-request nonce) and HSTS (runtime APP_URL) are set by proxy.ts.
  headers() {
    return Promise.resolve([{ source: "/:path*", headers: [...STATIC_SECURITY_HEADERS] }]);
  },
};

export default nextConfig;
