import { expect, test, type Page } from "@playwright/test";
import {
  action,
  answerConsent,
  expectConnected,
  expectNotConnected,
  expectTilesFilledFrom,
  openConsentPage,
  providerCard,
  signUp,
  visitOAuthCallback,
} from "./support";

/**
 * Connecting Oura through its local sandbox, end to end: sign-up, the OAuth consent page, the
 * Accounts card and the dashboard tiles filled by the first sync. Also the two ways it can fail.
 */

async function openOuraConsent(page: Page): Promise<void> {
  await openConsentPage(page, "Oura", /Oura/);
  // The requested scopes are listed (Oura's "daily" scope covers sleep and readiness).
  await expect(page.getByRole("listitem").filter({ hasText: /daily/i }).first()).toBeVisible();
}

test("connect Oura through the sandbox and see sleep and readiness on the dashboard", async ({ page }) => {
  await signUp(page);
  await openOuraConsent(page);

  await answerConsent(page, "Authorise");
  await expectConnected(page, "Oura");
  await expectTilesFilledFrom(page, "Oura", ["Sleep", "Readiness"]);
});

test("disconnecting Oura revokes access at Oura and keeps the synced history", async ({ page }) => {
  await signUp(page);
  await openOuraConsent(page);
  await answerConsent(page, "Authorise");
  await expectConnected(page, "Oura");
  await expectTilesFilledFrom(page, "Oura", ["Sleep"]);

  await page.goto("/accounts");
  await action(providerCard(page, "Oura"), "Disconnect").click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByText(/revoke this app's access at Oura/)).toBeVisible();
  await action(dialog, "Disconnect").click();
  await expect(page.getByText("Access revoked at the provider. Your synced history is kept.")).toBeVisible();
  await expectNotConnected(page, "Oura");
  await expectTilesFilledFrom(page, "Oura", ["Sleep"]);
});

test("denying on the consent page connects nothing", async ({ page }) => {
  await signUp(page);
  await openOuraConsent(page);

  await answerConsent(page, "Deny");
  await expect(page.getByText("Authorisation was denied").first()).toBeVisible();
  await expectNotConnected(page, "Oura");
});

test("a callback with a forged state is refused with a way to retry", async ({ page }) => {
  await signUp(page);

  await visitOAuthCallback(page, "Oura", { code: "x", state: "forged" });
  await expect(page).toHaveURL(/\/accounts(\?|$)/);
  await expect(page.getByText("OAuth state invalid").first()).toBeVisible();
  await expect(page.getByRole("button", { name: "Try again" })).toBeVisible();
  await expectNotConnected(page, "Oura");
});
