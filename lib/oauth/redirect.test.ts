import { describe, expect, it } from "vitest";
import { DEFAULT_REDIRECT_PATH, safeRedirectPath } from "./redirect";

const origin = "http://localhost:3000";

describe("safeRedirectPath", () => {
  it("defaults to the Accounts page", () => {
    expect(safeRedirectPath(undefined, origin)).toBe(DEFAULT_REDIRECT_PATH);
    expect(safeRedirectPath("", origin)).toBe(DEFAULT_REDIRECT_PATH);
  });

  it("keeps same-origin paths with their query", () => {
    expect(safeRedirectPath("/accounts?tab=sources", origin)).toBe("/accounts?tab=sources");
    expect(safeRedirectPath("/", origin)).toBe("/");
    expect(safeRedirectPath("http://localhost:3000/x", origin)).toBe("/x");
  });

  it.each([
    "https://evil.example/",
    "//evil.example/path",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "http://localhost:3001/",
    "evil.example",
    "/ok\n",
    "data:text/html,hi",
    "/.//evil.example/x",
    "/..//evil.example",
    "/%2e//evil.example",
  ])("rejects %s", (input) => {
    expect(safeRedirectPath(input, origin)).toBeNull();
  });
});
