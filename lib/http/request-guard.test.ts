import { describe, expect, it } from "vitest";
import { malformedPath, refusedRequest } from "./request-guard";

const base = "http://localhost:3000";

describe("refusedRequest", () => {
  it.each([
    "/api/v1/connections/oura%00/sync",
    "/api/v1/connections/%/sync",
    "/api/v1/connections/%ff/sync",
    "/api/v1/connections/%C0%AE/sync",
    "/api/v1/connections/%uD800/sync",
    "/sandbox/%ff/oauth/authorize",
    "/sandbox/oura/%E0%A4%A",
    "/sandbox/oura/oauth/%0d%0aSet-Cookie:x",
    "/api/v1/oauth/%7F/authorize",
  ])("refuses %s with 400", (path) => {
    expect(refusedRequest("GET", `${base}${path}`)).toMatchObject({ status: 400, detail: expect.any(String) });
  });

  it.each(["/", "/accounts", "/api/v1/connections/oura/sync", "/sandbox/oura/oauth/authorize", "/%E2%9C%93/caf%C3%A9"])(
    "lets %s through",
    (path) => {
      expect(refusedRequest("POST", `${base}${path}`)).toBeUndefined();
    },
  );

  it.each(["TRACE", "CONNECT", "PROPFIND", "FOO"])("refuses the method %s with 405 and Allow", (method) => {
    expect(refusedRequest(method, `${base}/api/v1/connections`)).toMatchObject({
      status: 405,
      headers: { allow: expect.stringContaining("GET") },
    });
  });

  it("names the problem", () => {
    expect(malformedPath("/a/%zz")).toMatch(/percent-encoding/);
    expect(malformedPath("/a/%00")).toMatch(/Invalid characters/);
    expect(malformedPath("/a/b")).toBeUndefined();
  });
});
