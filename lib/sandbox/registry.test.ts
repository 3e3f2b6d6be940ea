import { describe, expect, it } from "vitest";
import { listProviders } from "@/lib/providers";
import { sandboxes } from "./index";

describe("sandbox registry", () => {
  it("serves a sandbox for exactly the providers whose module declares one, with the declared client", () => {
    const declared = listProviders()
      .filter((p) => p.sandbox)
      .map((p) => p.id)
      .sort();
    expect(Object.keys(sandboxes).sort()).toEqual(declared);
    for (const provider of listProviders()) {
      const sandbox = sandboxes[provider.id]!;
      expect(sandbox.clientId).toBe(provider.sandbox!.clientId);
      expect(sandbox.clientSecret).toBe(provider.sandbox!.clientSecret);
      expect(sandbox.endpoints("http://app.test/sandbox/x")).toEqual(
        provider.sandbox!.endpoints("http://app.test/sandbox/x"),
      );
    }
  });
});
