import { expect, test, type Page } from "@playwright/test";
import {
  answerConsent,
  expectConnected,
  expectNotConnected,
  expectTilesFilledFrom,
  openConsentPage,
  signUp,
  visitOAuthCallback,
} from "./support";

/**
 * Connecting Withings through its local sandbox, end to end: sign-up, the consent page with
 * Withings' comma-separated scopes, the Accounts card, and the Sleep tile filled from the Sleep
 * Analyzer by the first sync. Also a code Withings refuses (status 503 inside an HTTP 200).
 */

async function openWithingsConsent(page: Page): Promise<URL> {
  const url = await openConsentPage(page, "Withings", /Withings/);
  // Withings scopes are comma-separated; each is listed on the consent page.
  expect(url.searchParams.get("scope")).toBe("user.info,user.metrics,user.activity,user.sleepevents");
  await expect(page.getByRole("listitem").filter({ hasText: "user.metrics" }).first()).toBeVisible();
  await expect(page.getByRole("listitem").filter({ hasText: "user.activity" }).first()).toBeVisible();
  return url;
}

test("connect Withings through the sandbox and see its sleep on the dashboard", async ({ page }) => {
  await signUp(page);
  await openWithingsConsent(page);

  await answerConsent(page, "Authorise");
  await expectConnected(page, "Withings");
  await expectTilesFilledFrom(page, "Withings", ["Sleep"]);
});

test("a code Withings refuses connects nothing and says the authorisation was not accepted", async ({ page }) => {
  await signUp(page);
  const consent = await openWithingsConsent(page);

  // Come back from Withings with this flow's state but a code Withings never issued: its token
  // endpoint answers HTTP 200 with status 503 "Invalid Params: invalid code".
  const landing = await visitOAuthCallback(page, "Withings", {
    code: "not-a-real-code",
    state: consent.searchParams.get("state")!,
  });
  expect(landing).toMatch(/\/accounts\?.*error=token_exchange_failed/);
  await expect(page).toHaveURL(/\/accounts(\?|$)/);
  await expect(page.getByText("Withings did not accept the authorisation").first()).toBeVisible();
  await expectNotConnected(page, "Withings");
});
