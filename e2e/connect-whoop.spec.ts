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
 * Connecting WHOOP through its local sandbox, end to end: sign-up, the consent page with WHOOP's
 * space-separated scopes (`offline` included, for the refresh token), the Accounts card, and the
 * Readiness tile (WHOOP recovery) and Sleep tile (WHOOP sleep performance) filled by the first
 * sync. Also a code WHOOP refuses (Hydra's `invalid_grant`).
 */

const SCOPES = "offline read:recovery read:cycles read:sleep read:workout read:profile read:body_measurement";

async function openWhoopConsent(page: Page): Promise<URL> {
  const url = await openConsentPage(page, "Whoop", /WHOOP/);
  expect(url.searchParams.get("scope")).toBe(SCOPES);
  for (const scope of ["offline", "read:recovery", "read:sleep", "read:cycles"]) {
    await expect(
      page
        .getByRole("listitem")
        .filter({ hasText: `(${scope})` })
        .first(),
    ).toBeVisible();
  }
  return url;
}

test("connect WHOOP through the sandbox and see its recovery and sleep on the dashboard", async ({ page }) => {
  await signUp(page);
  await openWhoopConsent(page);

  await answerConsent(page, "Authorise");
  await expectConnected(page, "Whoop");
  await expectTilesFilledFrom(page, "Whoop", ["Readiness", "Sleep"]);
});

test("a code WHOOP refuses connects nothing and says the authorisation was not accepted", async ({ page }) => {
  await signUp(page);
  const consent = await openWhoopConsent(page);

  // Come back from WHOOP with this flow's state but a code WHOOP never issued: its token endpoint
  // answers 400 {"error":"invalid_grant", …}.
  const landing = await visitOAuthCallback(page, "Whoop", {
    code: "not-a-real-code",
    state: consent.searchParams.get("state")!,
  });
  expect(landing).toMatch(/\/accounts\?.*error=token_exchange_failed/);
  await expect(page).toHaveURL(/\/accounts(\?|$)/);
  await expect(page.getByText("Whoop did not accept the authorisation").first()).toBeVisible();
  await expectNotConnected(page, "Whoop");
});
