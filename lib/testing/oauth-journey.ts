import { expect } from "vitest";
import { encode } from "next-auth/jwt";
import { createUser } from "@/lib/auth/users";
import { config } from "@/lib/config";
import { drainInProcessJobs } from "@/lib/jobs/in-process";
import { createTestClient, type TestClient } from "./app-server";

let counter = 0;

/** A new user and a test client that carries their next-auth session cookie. */
export async function signedInClient(baseUrl: string): Promise<{ client: TestClient; userId: string; email: string }> {
  const email = `journey${++counter}-${Date.now()}@example.test`;
  const user = await createUser({ email, password: "correct horse battery" });
  const token = await encode({ token: { sub: user.id, email }, secret: config().nextAuthSecret });
  const client = createTestClient(baseUrl);
  client.setCookie("next-auth.session-token", token);
  return { client, userId: user.id, email };
}

export interface ConsentResult {
  /** Where the sandbox sent the browser back (the callback URL with code/state or error). */
  callbackUrl: URL;
  authorizationUrl: URL;
}

/** Starts Connect through our API and answers the sandbox consent page like a person would. */
export async function answerConsent(
  client: TestClient,
  providerId: string,
  options: { decision?: "allow" | "deny"; account?: string; redirectUri?: string } = {},
): Promise<ConsentResult> {
  const query = options.redirectUri ? `?redirect_uri=${encodeURIComponent(options.redirectUri)}` : "";
  const authorize = await client.get(`/api/v1/oauth/${providerId}/authorize${query}`);
  expect(authorize.status).toBe(200);
  const { authorization_url: authorizationUrl } = (await authorize.json()) as { authorization_url: string };
  const url = new URL(authorizationUrl);
  // The consent page posts its original query back with the decision, as the form does.
  const form = new URLSearchParams(url.searchParams);
  form.set("decision", options.decision ?? "allow");
  if (options.account) form.set("account", options.account);
  const decision = await client.post(`/sandbox/${providerId}/oauth/authorize`, form);
  expect(decision.status).toBe(302);
  return { callbackUrl: new URL(decision.headers.get("location")!), authorizationUrl: url };
}

/** Follows the provider's redirect to our callback; returns our 303 target (path + query). */
export async function followCallback(client: TestClient, callbackUrl: URL): Promise<URL> {
  const response = await client.get(`${callbackUrl.pathname}${callbackUrl.search}`);
  expect(response.status).toBe(303);
  return new URL(response.headers.get("location")!);
}

/** The whole connect journey; waits for the in-process backfill to finish. */
export async function connectThroughSandbox(
  client: TestClient,
  providerId: string,
  options: { account?: string } = {},
): Promise<URL> {
  const { callbackUrl } = await answerConsent(client, providerId, options);
  const landed = await followCallback(client, callbackUrl);
  await drainInProcessJobs();
  return landed;
}
