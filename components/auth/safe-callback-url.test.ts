import { describe, expect, it } from "vitest";
import { safeCallbackUrl } from "./safe-callback-url";

const origin = "http://localhost:3000";

describe("safeCallbackUrl", () => {
  it("keeps same-origin paths with query and hash", () => {
    expect(safeCallbackUrl("/accounts", origin)).toBe("/accounts");
    expect(safeCallbackUrl("/accounts?connected=oura#top", origin)).toBe("/accounts?connected=oura#top");
    expect(safeCallbackUrl("/", origin)).toBe("/");
  });

  it.each(["/.//evil.example/x", "/..//evil.example", "/%2e//evil.example", "//evil.example", "https://evil.example/"])(
    "falls back to / for %s (the issue's reported bypasses)",
    (attack) => {
      expect(safeCallbackUrl(attack, origin)).toBe("/");
    },
  );

  it("rejects missing or non-string values", () => {
    expect(safeCallbackUrl(undefined, origin)).toBe("/");
    expect(safeCallbackUrl("", origin)).toBe("/");
    expect(safeCallbackUrl(["/accounts"], origin)).toBe("/");
    expect(safeCallbackUrl(42, origin)).toBe("/");
  });

  it("uses the given fallback", () => {
    expect(safeCallbackUrl("https://evil.example", origin, "/accounts")).toBe("/accounts");
  });
});
