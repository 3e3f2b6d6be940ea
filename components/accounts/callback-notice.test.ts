import { describe, expect, it } from "vitest";
import { describeCallbackNotice, readCallbackNotice, withoutCallbackParams } from "./callback-notice";

describe("readCallbackNotice", () => {
  it("reads a success", () => {
    expect(readCallbackNotice(new URLSearchParams("connected=oura"))).toEqual({ kind: "connected", provider: "oura" });
  });

  it("reads an error with its provider, preferring the error", () => {
    expect(readCallbackNotice(new URLSearchParams("error=oauth_state_invalid&provider=whoop&connected=oura"))).toEqual({
      kind: "error",
      code: "oauth_state_invalid",
      provider: "whoop",
    });
    expect(readCallbackNotice(new URLSearchParams("error=access_denied"))).toEqual({
      kind: "error",
      code: "access_denied",
      provider: null,
    });
  });

  it("returns null without callback parameters", () => {
    expect(readCallbackNotice(new URLSearchParams("tab=1"))).toBeNull();
    expect(readCallbackNotice(new URLSearchParams("connected="))).toBeNull();
  });
});

describe("withoutCallbackParams", () => {
  it("drops only the callback parameters", () => {
    expect(withoutCallbackParams(new URLSearchParams("error=x&provider=oura&tab=2"))).toBe("?tab=2");
    expect(withoutCallbackParams(new URLSearchParams("connected=oura"))).toBe("");
  });
});

describe("describeCallbackNotice", () => {
  it("describes a success with the provider name", () => {
    expect(describeCallbackNotice({ kind: "connected", provider: "oura" }, "Oura")).toEqual({
      tone: "success",
      title: "Oura connected. Your first 30 days are syncing.",
      text: null,
      retry: false,
    });
  });

  it("ignores a success for an unknown provider instead of echoing the URL", () => {
    expect(describeCallbackNotice({ kind: "connected", provider: "Evil Corp" }, null)).toBeNull();
  });

  it("describes an invalid state with a retry", () => {
    const message = describeCallbackNotice({ kind: "error", code: "oauth_state_invalid", provider: "oura" }, "Oura");
    expect(message?.title).toBe("OAuth state invalid");
    expect(message?.text).toBe(
      "The authorisation took too long or the link was already used. Go back and connect again.",
    );
    expect(message?.retry).toBe(true);
  });

  it("names the provider for a failed token exchange", () => {
    const message = describeCallbackNotice(
      { kind: "error", code: "token_exchange_failed", provider: "whoop" },
      "Whoop",
    );
    expect(message?.title).toBe("Whoop did not accept the authorisation");
    expect(message?.retry).toBe(true);
  });

  it("describes a denial", () => {
    expect(describeCallbackNotice({ kind: "error", code: "access_denied", provider: "oura" }, "Oura")?.title).toBe(
      "Authorisation was denied",
    );
  });

  it("offers no retry when the provider is unknown", () => {
    const message = describeCallbackNotice({ kind: "error", code: "token_exchange_failed", provider: "nope" }, null);
    expect(message?.title).toBe("The provider did not accept the authorisation");
    expect(message?.retry).toBe(false);
  });
});
