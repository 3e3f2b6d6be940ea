import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { locatePostgres, postgresMissingBanner } from "./postgres-server";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wd-pgbin-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function binDir(name: string, binaries: string[]): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const binary of binaries) fs.writeFileSync(path.join(dir, binary), "");
  return dir;
}

describe("locatePostgres", () => {
  it("prefers TEST_DATABASE_URL over any binaries", () => {
    const dir = binDir("full", ["initdb", "pg_ctl", "postgres"]);
    expect(locatePostgres({ TEST_DATABASE_URL: "postgres://u@h/db", PATH: dir }, [])).toEqual({
      kind: "url",
      url: "postgres://u@h/db",
    });
  });

  it("finds the server binaries on PATH before the fallback folders", () => {
    const onPath = binDir("on-path", ["initdb", "pg_ctl", "postgres"]);
    const fallback = binDir("fallback", ["initdb", "pg_ctl", "postgres"]);
    expect(locatePostgres({ PATH: onPath }, [fallback])).toEqual({ kind: "binaries", binDir: onPath });
    expect(locatePostgres({ PATH: "" }, [fallback])).toEqual({ kind: "binaries", binDir: fallback });
  });

  it("needs initdb, pg_ctl and postgres together, and says why when they are missing", () => {
    const partial = binDir("partial", ["initdb", "pg_ctl"]);
    const source = locatePostgres({ PATH: partial }, [binDir("empty", [])]);
    expect(source.kind).toBe("missing");
    if (source.kind !== "missing") return;
    expect(source.reason).toContain("TEST_DATABASE_URL is not set");
    const banner = postgresMissingBanner(source.reason);
    expect(banner).toContain("DID NOT RUN");
    expect(banner).toContain(source.reason);
    expect(banner.split("\n").length).toBeGreaterThan(4);
  });
});
