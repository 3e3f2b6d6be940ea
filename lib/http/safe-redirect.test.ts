import { describe, expect, it } from "vitest";
import { sameOriginPath } from "./safe-redirect";

const origin = "http://localhost:3000";

/** Each must be refused: after a browser's normalisation it leads off this origin, or is not a path at all. */
const ATTACKS: string[] = [
  "//evil.example",
  "//evil.example/x",
  "///evil.example/x",
  "/\\evil.example",
  "\\\\evil.example",
  "\\/evil.example",
  "/.//evil.example/x",
  "/..//evil.example/x",
  "/./..//evil.example",
  "/%2e//evil.example",
  "/%2E//evil.example",
  "/%2e%2e//evil.example",
  "/a/..//evil.example",
  "/x/../..//evil.example",
  "https://evil.example/",
  "http://evil.example",
  "https:evil.example",
  "https:x",
  "http:/\\evil.example",
  "HTTP://EVIL.EXAMPLE",
  "javascript:alert(1)",
  "JaVaScRiPt:alert(document.cookie)",
  " javascript:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "vbscript:msgbox(1)",
  "/\t/evil.example",
  "/\n/evil.example",
  "/\r\n/evil.example",
  "/\u0000/evil.example",
  "/accounts\u0000",
  "\t//evil.example",
  " /accounts",
  "//localhost:3000@evil.example/",
  "http://localhost:3000@evil.example/",
  "http://user:pass@localhost:3000/accounts",
  "http://localhost:3000%40evil.example/",
  "http://localhost:3001/",
  "http://localhost:3000.evil.example/",
  "https://localhost:3000/",
  "http://127.0.0.1:3000/",
  "evil.example",
  "accounts",
  "./accounts",
  "?next=//evil.example",
  "#//evil.example",
  `/${"a".repeat(3000)}`,
  `/.//${"a".repeat(5000)}.example`,
  "",
];

/** Each must survive, normalised. */
const LEGIT: [string, string][] = [
  ["/", "/"],
  ["/accounts", "/accounts"],
  ["/accounts?connected=oura#top", "/accounts?connected=oura#top"],
  ["/accounts?next=//evil.example", "/accounts?next=//evil.example"],
  ["/a/./b/../accounts", "/a/accounts"],
  ["/%2F%2Fevil.example", "/%2F%2Fevil.example"],
  ["/%5C%5Cevil.example", "/%5C%5Cevil.example"],
  ["/sign-in?callbackUrl=%2Faccounts", "/sign-in?callbackUrl=%2Faccounts"],
  ["/ünïcode", "/%C3%BCn%C3%AFcode"],
  ["http://localhost:3000/accounts?x=1", "/accounts?x=1"],
  ["http://localhost:3000", "/"],
  ["/@evil.example", "/@evil.example"],
];

describe("sameOriginPath", () => {
  it.each(ATTACKS.map((attack) => [JSON.stringify(attack).slice(0, 80), attack]))("refuses %s", (_label, attack) => {
    expect(sameOriginPath(attack, origin)).toBeNull();
  });

  it("covers at least 25 attack strings", () => {
    expect(ATTACKS.length).toBeGreaterThanOrEqual(25);
  });

  it.each(LEGIT)("keeps %s as %s", (input, expected) => {
    expect(sameOriginPath(input, origin)).toBe(expected);
  });

  it("never returns a value that resolves to another origin, for any attack string", () => {
    for (const attack of ATTACKS) {
      const result = sameOriginPath(attack, origin);
      if (result !== null) expect(new URL(result, origin).origin).toBe(origin);
    }
  });

  it("refuses what is not a string", () => {
    for (const value of [undefined, null, 42, ["/accounts"], { toString: () => "/accounts" }]) {
      expect(sameOriginPath(value, origin)).toBeNull();
    }
  });

  it("judges against the given origin, including an https one with a path", () => {
    expect(sameOriginPath("https://app.example/accounts", "https://app.example/base")).toBe("/accounts");
    expect(sameOriginPath("http://app.example/accounts", "https://app.example")).toBeNull();
    expect(sameOriginPath("https:x", "https://app.example")).toBeNull();
  });
});
