import crypto from "node:crypto";
import { expect, test, type Locator, type Page } from "@playwright/test";

/**
 * Connecting Withings through its local sandbox, end to end: sign-up, the consent page with
 * Withings' comma-separated scopes, the Accounts card, and the Sleep tile filled from the Sleep
 * Analyzer by the first sync. Also a code Withings refuses (status 503 inside an HTTP 200).
 *
 * Markup this relies on: provider cards and dashboard tiles are landmarks named "Withings" and
 * "Sleep" (`<section aria-labelledby|aria-label>`), and a tile's headline number comes first.
 */

const PASSWORD = "correct horse battery staple 42";

async function signUp(page: Page): Promise<string> {
  const email = `e2e-withings-${Date.now()}-${crypto.randomBytes(3).toString("hex")}@example.com`;
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

async function openWithingsConsent(page: Page): Promise<URL> {
  await page.goto("/accounts");
  await expect(page).toHaveURL(/\/accounts$/);
  await action(page, "Connect Withings").click();
  await expect(page).toHaveURL(/\/sandbox\/withings\/oauth\/authorize\?/);
  await expect(page.getByRole("heading", { name: /Withings/ }).first()).toBeVisible();
  // Withings scopes are comma-separated; each is listed on the consent page.
  const url = new URL(page.url());
  expect(url.searchParams.get("scope")).toBe("user.info,user.metrics,user.activity,user.sleepevents");
  await expect(page.getByRole("listitem").filter({ hasText: "user.metrics" }).first()).toBeVisible();
  await expect(page.getByRole("listitem").filter({ hasText: "user.activity" }).first()).toBeVisible();
  return url;
}

test("connect Withings through the sandbox and see its sleep on the dashboard", async ({ page }) => {
  await signUp(page);
  await openWithingsConsent(page);

  await action(page, "Authorise").click();
  await expect(page).toHaveURL(/\/accounts(\?|$)/);
  await expect(region(page, "Withings").getByText("Connected", { exact: true })).toBeVisible();

  // The first sync runs in the background after connecting; reload until its data shows.
  await expect(async () => {
    await page.goto("/");
    const sleep = region(page, "Sleep");
    await expect(sleep).toBeVisible({ timeout: 2_000 });
    await expect(sleep.getByText("from Withings")).toBeVisible({ timeout: 2_000 });
    await expect(latestValue(sleep), "Sleep tile shows a latest value").toHaveText(/^\d+(\.\d+)?$/, { timeout: 2_000 });
    await expect(sleep.locator("svg.recharts-surface").first()).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 60_000, intervals: [1_000, 2_000, 5_000] });
});

test("a code Withings refuses connects nothing and says the authorisation was not accepted", async ({ page }) => {
  await signUp(page);
  const consent = await openWithingsConsent(page);

  // Come back from Withings with this flow's state but a code Withings never issued: its token
  // endpoint answers HTTP 200 with status 503 "Invalid Params: invalid code".
  const state = consent.searchParams.get("state")!;
  await page.goto(`/api/v1/oauth/withings/callback?code=not-a-real-code&state=${encodeURIComponent(state)}`);
  await expect(page).toHaveURL(/\/accounts\?.*error=token_exchange_failed/);
  await expect(page.getByText("Withings did not accept the authorisation").first()).toBeVisible();
  await expect(page.getByText("Connected", { exact: true })).toHaveCount(0);
  await expect(action(region(page, "Withings"), "Connect Withings")).toBeVisible();
});
