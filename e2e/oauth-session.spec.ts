import crypto from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { action, expectConnected, expectNotConnected, openConsentPage } from "./support";

/**
 * The OAuth callback belongs to the person who started the connect (issue 6 §2): a session that
 * ended on the provider's page resumes after signing in; someone else signing in connects nothing.
 */

const PASSWORD = "a long sandbox passphrase 7";

async function createAccount(page: Page): Promise<string> {
  const email = `e2e-oauth-${Date.now()}-${crypto.randomBytes(3).toString("hex")}@example.com`;
  await page.goto("/sign-up");
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).not.toHaveURL(/\/sign-(up|in)\b/);
  return email;
}

async function signIn(page: Page, email: string): Promise<void> {
  await expect(page).toHaveURL(/\/sign-in\?/);
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("a session that ended on the consent page: sign in again and the connect completes", async ({ page }) => {
  const email = await createAccount(page);
  await openConsentPage(page, "Oura", /Oura/);

  // Signed out while on the provider's page (the session expired, or another tab signed out).
  await page.context().clearCookies();
  await action(page, "Authorise").click();
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Fapi%2Fv1%2Foauth%2Foura%2Fcallback%3F/);

  await signIn(page, email);
  await expect(page).toHaveURL(/\/accounts(\?|$)/);
  await expectConnected(page, "Oura");
});

test("someone else who signs in at the callback connects nothing, and the owner still can", async ({
  browser,
  page,
}) => {
  // Two people, two sign-ups and a first sync: more than one journey's worth of work.
  test.setTimeout(180_000);
  await createAccount(page);
  await openConsentPage(page, "Oura", /Oura/);
  // Answer the consent page but do not follow the provider's redirect back to us: keep its URL (the
  // owner's code and state), as if that link had reached someone else.
  let callbackUrl = "";
  await page.route(/\/sandbox\/oura\/oauth\/decision$/, async (route) => {
    if (route.request().method() !== "POST") return route.continue();
    const response = await route.fetch({ maxRedirects: 0 });
    callbackUrl = response.headers()["location"] ?? "";
    await route.abort();
  });
  await action(page, "Authorise").click();
  await expect.poll(() => callbackUrl).toContain("state=");
  await page.unrouteAll();

  const strangerContext = await browser.newContext();
  try {
    const stranger = await strangerContext.newPage();
    const strangerEmail = await createAccount(stranger);
    await strangerContext.clearCookies();
    await stranger.goto(callbackUrl);
    await signIn(stranger, strangerEmail);
    await expect(stranger).toHaveURL(/\/accounts(\?|$)/);
    await expect(stranger.getByText("OAuth state invalid").first()).toBeVisible();
    await expectNotConnected(stranger, "Oura");
  } finally {
    await strangerContext.close();
  }

  // The stranger consumed nothing: the owner's own return completes the connect. (Read the
  // callback's redirect target: the Accounts page cleans the outcome out of the address bar.)
  const ownerReturn = await page.goto(callbackUrl);
  expect(new URL(ownerReturn!.url()).searchParams.get("connected")).toBe("oura");
  await expectConnected(page, "Oura");
});
