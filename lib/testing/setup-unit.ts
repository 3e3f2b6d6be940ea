import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";
import { pinTestConfiguration } from "./hermetic-env";

/**
 * Setup file of the unit project: the shell's configuration (APP_URL, live client credentials,
 * SANDBOX_NOW…) never reaches a unit test. A unit test that reads the configuration sees the test
 * values; the data folder is a fresh temporary one, removed afterwards.
 */
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "wd-unit-"));
pinTestConfiguration({ DATA_DIR: dataDir });

afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});
