import { execFileSync } from "node:child_process";
import path from "node:path";
import { defineConfig } from "@playwright/test";
import { pinTestConfiguration } from "./lib/testing/hermetic-env";

/**
 * End-to-end journeys against the BUILT app (`next build` + `npm start`) on a free port, with a fresh
 * embedded database and the provider sandboxes, in Debian's Chromium (Playwright's own browser
 * downloads are not available here). Set CHROMIUM_PATH to use another Chromium, E2E_PORT to pin the
 * port (default: a free one) and E2E_DIST_DIR for the build folder (default `.next-e2e`).
 * The app's configuration from the shell (APP_URL, DATABASE_URL, client credentials, Inngest keys…)
 * is removed from this process, so neither the built app nor the tests see it (lib/testing/hermetic-env.ts).
 */

/** A port nobody listens on now, so a developer's own running instance never collides with the run. */
function freePort(): number {
  const script =
    "const s=require('node:net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})";
  return Number(execFileSync(process.execPath, ["-e", script]).toString().trim());
}

// Chosen once in the main process; the workers inherit it through the environment.
process.env.E2E_PORT ||= String(freePort());
// Its own build folder, so a development server's `.next` is left alone (E2E_DIST_DIR runs two at once).
process.env.E2E_DIST_DIR ||= ".next-e2e";
const PORT = Number(process.env.E2E_PORT);
const baseURL = `http://localhost:${PORT}`;
// A new data folder per run: no DATABASE_URL, so the app uses embedded PGlite in it.
const dataDir = path.join(".data", `e2e-${Date.now()}`);
// Playwright starts the web server and the workers with this process's environment.
pinTestConfiguration({
  APP_URL: baseURL,
  DATA_DIR: dataDir,
  NEXT_DIST_DIR: process.env.E2E_DIST_DIR,
  NEXT_TELEMETRY_DISABLED: "1",
});

export default defineConfig({
  testDir: "e2e",
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  reporter: "list",
  timeout: 90_000,
  expect: { timeout: 15_000 },
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"],
    },
  },
  webServer: {
    command: "npm run build && npm start",
    url: `${baseURL}/api/health`,
    // A production build takes 2–4 minutes on two cores.
    timeout: 600_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    // The rest of its configuration is pinned above.
    env: { PORT: String(PORT), NODE_ENV: "production" },
  },
});
