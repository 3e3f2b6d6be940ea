import crypto from "node:crypto";
import { expect, test, type Locator, type Page } from "@playwright/test";

/**
 * Connecting Oura through its local sandbox, end to end: sign-up, the OAuth consent page, the
 * Accounts card and the dashboard tiles filled by the first sync. Also the two ways it can fail.
 *
 * Markup this relies on: provider cards and dashboard tiles are landmarks named "Oura", "Sleep",
 * "Readiness" (`<section aria-labelledby|aria-label>`), and a tile's headline number comes first.
 */

const PASSWORD = "correct horse battery staple 42";

async function signUp(page: Page): Promise<string> {
  const email = `e2e-${Date.now()}-${crypto.randomBytes(3).toString("hex")}@example.com`;
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

function providerCard(page: Page, name: string): Locator {
  return page.getByRole("region", { name, exact: true });
}

function tile(page: Page, name: string): Locator {
  return page.getByRole("region", { name, exact: true });
}

/**
 * The tile's headline number: the first element (in reading order) whose whole text is a number or
 * "—". It comes before the 7-day/30-day figures and the chart's axis ticks.
 */
function latestValue(metricTile: Locator): Locator {
  return metricTile.getByText(/^(\d+(\.\d+)?|—)$/).first();
}

async function openOuraConsent(page: Page): Promise<void> {
  await page.goto("/accounts");
  await expect(page).toHaveURL(/\/accounts$/);
  await action(page, "Connect Oura").click();
  await expect(page).toHaveURL(/\/sandbox\/oura\/oauth\/authorize\?/);
  await expect(page.getByRole("heading", { name: /Oura/ }).first()).toBeVisible();
  // The requested scopes are listed (Oura's "daily" scope covers sleep and readiness).
  await expect(page.getByRole("listitem").filter({ hasText: /daily/i }).first()).toBeVisible();
}

test("connect Oura through the sandbox and see sleep and readiness on the dashboard", async ({ page }) => {
  await signUp(page);
  await openOuraConsent(page);

  await action(page, "Authorise").click();
  await expect(page).toHaveURL(/\/accounts(\?|$)/);
  await expect(providerCard(page, "Oura").getByText("Connected", { exact: true })).toBeVisible();

  // The first sync runs in the background after connecting; reload until its data shows.
  await expect(async () => {
    await page.goto("/");
    for (const name of ["Sleep", "Readiness"]) {
      const metricTile = tile(page, name);
      await expect(metricTile).toBeVisible({ timeout: 2_000 });
      await expect(latestValue(metricTile), `${name} tile shows a latest value`).toHaveText(/^\d+(\.\d+)?$/, {
        timeout: 2_000,
      });
      await expect(metricTile.locator("svg.recharts-surface").first()).toBeVisible({ timeout: 2_000 });
    }
  }).toPass({ timeout: 60_000, intervals: [1_000, 2_000, 5_000] });
});

test("denying on the consent page connects nothing", async ({ page }) => {
  await signUp(page);
  await openOuraConsent(page);

  await action(page, "Deny").click();
  await expect(page).toHaveURL(/\/accounts(\?|$)/);
  await expect(page.getByText("Authorisation was denied").first()).toBeVisible();
  await expect(page.getByText("Connected", { exact: true })).toHaveCount(0);
  await expect(action(providerCard(page, "Oura"), "Connect Oura")).toBeVisible();
});

test("a callback with a forged state is refused with a way to retry", async ({ page }) => {
  await signUp(page);

  await page.goto("/api/v1/oauth/oura/callback?code=x&state=forged");
  await expect(page).toHaveURL(/\/accounts(\?|$)/);
  await expect(page.getByText("OAuth state invalid").first()).toBeVisible();
  await expect(page.getByRole("button", { name: "Try again" })).toBeVisible();
  await expect(page.getByText("Connected", { exact: true })).toHaveCount(0);
});
