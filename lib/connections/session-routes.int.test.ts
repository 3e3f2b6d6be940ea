import { serveAppForTests } from "@/lib/testing/serve-app";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { connections, loginChallenges } from "@/lib/db/schema";
import { GARMIN_SANDBOX_EMAILS, GARMIN_SANDBOX_PASSWORD } from "@/lib/sandbox/garmin/accounts";
import { signedInClient } from "@/lib/testing/oauth-journey";

/** The session sign-in routes are driven by the provider module's auth kind, not by a hard-coded id. */
const server = serveAppForTests({ sandboxFor: ["garmin"] });

describe("POST /api/v1/session/{provider}/login and /mfa", () => {
  it("answer 404 for an unknown provider and 400 for an OAuth provider, with {detail}, storing nothing", async () => {
    const { client, userId } = await signedInClient(server.url);
    const body = { email: GARMIN_SANDBOX_EMAILS.plain, password: GARMIN_SANDBOX_PASSWORD };
    for (const route of ["login", "mfa"]) {
      const payload = route === "login" ? body : { challenge_id: "x", code: "123456" };
      const unknown = await client.post(`/api/v1/session/fitbit/${route}`, payload);
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toEqual({ detail: "Unknown provider" });
      const oauth = await client.post(`/api/v1/session/oura/${route}`, payload);
      expect(oauth.status).toBe(400);
      expect(await oauth.json()).toEqual({ detail: "Oura connects with OAuth, not with a password" });
    }
    const db = await getDb();
    expect(await db.select().from(connections).where(eq(connections.userId, userId))).toEqual([]);
    expect(await db.select().from(loginChallenges).where(eq(loginChallenges.userId, userId))).toEqual([]);
  });

  it("names the provider in validation messages and refuses a wrong password like the Garmin path", async () => {
    const { client } = await signedInClient(server.url);
    const invalid = await client.post("/api/v1/session/garmin/login", { email: "", password: "" });
    expect(invalid.status).toBe(422);
    expect(JSON.stringify(await invalid.json())).toContain("Enter your Garmin email");
    const wrong = await client.post("/api/v1/session/garmin/login", {
      email: GARMIN_SANDBOX_EMAILS.plain,
      password: "not-the-password",
    });
    const legacy = await client.post("/api/v1/garmin/login", {
      email: GARMIN_SANDBOX_EMAILS.plain,
      password: "not-the-password",
    });
    expect(wrong.status).toBe(401);
    expect(legacy.status).toBe(401);
    expect(await wrong.json()).toEqual(await legacy.json());
  });

  it("connects through the generic path", async () => {
    const { client, userId } = await signedInClient(server.url);
    const answer = await client.post("/api/v1/session/garmin/login", {
      email: GARMIN_SANDBOX_EMAILS.plain,
      password: GARMIN_SANDBOX_PASSWORD,
    });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ status: "connected" });
    const db = await getDb();
    const [row] = await db.select().from(connections).where(eq(connections.userId, userId));
    expect(row).toMatchObject({ provider: "garmin", status: "active" });
  });
});
