import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // PGlite ships WebAssembly and data files that must be loaded from node_modules, not bundled.
  // rate-limiter-flexible's Drizzle store imports drizzle-orm by a computed name, which a bundle cannot follow.
  serverExternalPackages: ["@electric-sql/pglite", "@node-rs/argon2", "rate-limiter-flexible"],
  poweredByHeader: false,
  // Lets a test build live beside a development server's `.next` without clobbering it.
  distDir: process.env.NEXT_DIST_DIR || ".next",
};

export default nextConfig;
