import { describe, expect, it } from "vitest";
import { clientAddress, UNIDENTIFIED_CLIENT } from "./client-address";

const xff = (value: string) => new Headers({ "x-forwarded-for": value });

describe("clientAddress", () => {
  it("does not trust X-Forwarded-For without TRUST_PROXY: every client is the same unidentified one", () => {
    expect(clientAddress(xff("203.0.113.7"), 0)).toBe(UNIDENTIFIED_CLIENT);
    expect(clientAddress(xff("198.51.100.1, 203.0.113.7"), 0)).toBe(UNIDENTIFIED_CLIENT);
    expect(clientAddress(new Headers(), 0)).toBe(UNIDENTIFIED_CLIENT);
  });

  it("with one trusted proxy reads the entry that proxy appended, never the client's own entries", () => {
    expect(clientAddress(xff("203.0.113.7"), 1)).toBe("203.0.113.7");
    // The client sent "X-Forwarded-For: 1.1.1.1"; the proxy appended the real address.
    expect(clientAddress(xff("1.1.1.1, 203.0.113.7"), 1)).toBe("203.0.113.7");
    expect(clientAddress(xff("1.1.1.1,2.2.2.2 ,203.0.113.7"), 1)).toBe("203.0.113.7");
  });

  it("with two trusted proxies reads the second entry from the right", () => {
    expect(clientAddress(xff("1.1.1.1, 203.0.113.7, 10.0.0.2"), 2)).toBe("203.0.113.7");
    expect(clientAddress(xff("203.0.113.7"), 2)).toBe("203.0.113.7");
  });

  it("strips ports and IPv4-mapped prefixes, and groups IPv6 by /64", () => {
    expect(clientAddress(xff("203.0.113.7:51234"), 1)).toBe("203.0.113.7");
    expect(clientAddress(xff("::ffff:203.0.113.7"), 1)).toBe("203.0.113.7");
    expect(clientAddress(xff("2001:db8:1:2:aaaa::1"), 1)).toBe("2001:0db8:0001:0002::/64");
    expect(clientAddress(xff("[2001:db8:1:2:bbbb::9]:443"), 1)).toBe("2001:0db8:0001:0002::/64");
    expect(clientAddress(xff("2001:db8::1"), 1)).toBe("2001:0db8:0000:0000::/64");
  });

  it("treats garbage as unidentified", () => {
    for (const value of ["", " , ", "unknown", "evil.example", "999.1.1.1", "<script>", "a".repeat(5000)]) {
      expect(clientAddress(xff(value), 1)).toBe(UNIDENTIFIED_CLIENT);
    }
  });

  it("reads next-auth's plain header objects too", () => {
    expect(clientAddress({ "x-forwarded-for": "1.1.1.1, 203.0.113.7" }, 1)).toBe("203.0.113.7");
    expect(clientAddress(undefined, 1)).toBe(UNIDENTIFIED_CLIENT);
  });
});
