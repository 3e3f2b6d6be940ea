import crypto from "node:crypto";
import { expect, test, type Locator, type Page } from "@playwright/test";

/**
 * Connecting WHOOP through its local sandbox, end to end: sign-up, the consent page with WHOOP's
 * space-separated scopes (`offline` included, for the refresh token), the Accounts card, and the
 * Readiness tile (WHOOP recovery) and Sleep tile (WHOOP sleep performance) filled by the first
 * sync. Also a code WHOOP refuses (Hydra's `invalid_grant`).
 *
 * Markup this relies on: provider cards and dashboard tiles are landmarks named "Whoop",
 * "Readiness" and "Sleep" (`<section aria-labelledby|aria-label>`), and a tile's headline number
 * comes first.
 */

const PASSWORD = "correct horse battery staple 42";
const SCOPES = "offline read:recovery read:cycles read:sleep read:workout read:profile read:body_measurement";

async function signUp(page: Page): Promise<string> {
  const email = `e2e-whoop-${Date.now()}-${crypto.randomBytes(3).toString("hex")}@example.com`;
  await page.goto("/sign-up");
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).not.toHaveURL(/\/sign-(up|in)\b/);
  return email;
}

/** A control that may be rendered as a button or as a link styled like one. */
function action(scope: Page | Locator, name: string): Locator {
  return scope.getByRole("button", { name, exact: true }).or(scope.getByRole("link", { name, exact: true }));
}

function region(page: Page, name: string): Locator {
  return page.getByRole("region", { name, exact: true });
}

/** The tile's headline number: the first element whose whole text is a number or "—". */
function latestValue(metricTile: Locator): Locator {
  return metricTile.getByText(/^(\d+(\.\d+)?|—)$/).first();
}

async function openWhoopConsent(page: Page): Promise<URL> {
  await page.goto("/accounts");
  await expect(page).toHaveURL(/\/accounts$/);
  await action(page, "Connect Whoop").click();
  await expect(page).toHaveURL(/\/sandbox\/whoop\/oauth\/authorize\?/);
  await expect(page.getByRole("heading", { name: /WHOOP/ }).first()).toBeVisible();
  const url = new URL(page.url());
  expect(url.searchParams.get("scope")).toBe(SCOPES);
  for (const scope of ["offline", "read:recovery", "read:sleep", "read:cycles"]) {
    await expect(page.getByRole("listitem").filter({ hasText: `(${scope})` }).first()).toBeVisible();
  }
  return url;
}

test("connect WHOOP through the sandbox and see its recovery and sleep on the dashboard", async ({ page }) => {
  await signUp(page);
  await openWhoopConsent(page);

  await action(page, "Authorise").click();
  await expect(page).toHaveURL(/\/accounts(\?|$)/);
  await expect(region(page, "Whoop").getByText("Connected", { exact: true })).toBeVisible();

  // The first sync runs in the background after connecting; reload until its data shows.
  await expect(async () => {
    await page.goto("/");
    for (const name of ["Readiness", "Sleep"]) {
      const metricTile = region(page, name);
      await expect(metricTile).toBeVisible({ timeout: 2_000 });
      await expect(metricTile.getByText("from Whoop"), `${name} tile names Whoop as its source`).toBeVisible({ timeout: 2_000 });
      await expect(latestValue(metricTile), `${name} tile shows a latest value`).toHaveText(/^\d+(\.\d+)?$/, { timeout: 2_000 });
      await expect(metricTile.locator("svg.recharts-surface").first()).toBeVisible({ timeout: 2_000 });
    }
  }).toPass({ timeout: 60_000, intervals: [1_000, 2_000, 5_000] });
});

test("a code WHOOP refuses connects nothing and says the authorisation was not accepted", async ({ page }) => {
  await signUp(page);
  const consent = await openWhoopConsent(page);

  // Come back from WHOOP with this flow's state but a code WHOOP never issued: its token endpoint
  // answers 400 {"error":"invalid_grant", …}.
  const state = consent.searchParams.get("state")!;
  await page.goto(`/api/v1/oauth/whoop/callback?code=not-a-real-code&state=${encodeURIComponent(state)}`);
  await expect(page).toHaveURL(/\/accounts\?.*error=token_exchange_failed/);
  await expect(page.getByText("Whoop did not accept the authorisation").first()).toBeVisible();
  await expect(page.getByText("Connected", { exact: true })).toHaveCount(0);
  await expect(action(region(page, "Whoop"), "Connect Whoop")).toBeVisible();
});
