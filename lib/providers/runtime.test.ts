import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resetConfig } from "@/lib/config";
import { providerMode, resolveProvider } from "./runtime";

const saved = { ...process.env };

beforeEach(() => {
  Object.assign(process.env, {
    NODE_ENV: "development",
    APP_URL: "http://localhost:4000",
    TOKEN_ENCRYPTION_KEYS: `t:${Buffer.alloc(32, 3).toString("base64")}`,
    NEXTAUTH_SECRET: "s",
  });
  delete process.env.OURA_CLIENT_ID;
  delete process.env.OURA_CLIENT_SECRET;
  delete process.env.ENABLE_SANDBOX;
  resetConfig();
});

afterEach(() => {
  process.env = { ...saved };
  resetConfig();
});

describe("provider runtime", () => {
  it("uses the sandbox, under APP_URL, when no client credentials are configured", () => {
    const runtime = resolveProvider("oura")!;
    expect(runtime.mode).toBe("sandbox");
    expect(runtime.endpoints).toMatchObject({
      authorization: "http://localhost:4000/sandbox/oura/oauth/authorize",
      token: "http://localhost:4000/sandbox/oura/oauth/token",
    });
    expect(providerMode("oura")).toBe("sandbox");
  });

  it("switches to the real provider by configuration alone", () => {
    process.env.OURA_CLIENT_ID = "real-id";
    process.env.OURA_CLIENT_SECRET = "real-secret";
    const runtime = resolveProvider("oura")!;
    expect(runtime).toMatchObject({ mode: "live", clientId: "real-id", clientSecret: "real-secret" });
    expect(runtime.endpoints).toMatchObject({
      authorization: "https://cloud.ouraring.com/oauth/authorize",
      token: "https://api.ouraring.com/oauth/token",
    });
    expect("redirectUri" in runtime && runtime.redirectUri).toBe("http://localhost:4000/api/v1/oauth/oura/callback");
  });

  it("needs both the id and the secret to go live", () => {
    process.env.OURA_CLIENT_ID = "real-id";
    expect(providerMode("oura")).toBe("sandbox");
  });

  it("is unavailable when sandboxes are off and there are no credentials", () => {
    process.env.ENABLE_SANDBOX = "false";
    resetConfig();
    expect(resolveProvider("oura")).toBeUndefined();
    expect(providerMode("oura")).toBe("unavailable");
    expect(resolveProvider("fitbit")).toBeUndefined();
  });
});
