import crypto from "node:crypto";
import { expect, type Locator, type Page } from "@playwright/test";

/**
 * Steps and locators the end-to-end journeys share.
 *
 * Markup they rely on: provider cards and dashboard tiles are landmarks named after the provider
 * ("Oura", "Whoop", "Withings", "Garmin") or the metric ("Sleep", "Readiness")
 * (`<section aria-labelledby|aria-label>`), and a tile's headline number comes first in it.
 */

/** A provider's name as its Accounts card and its "Connect …" control spell it. */
export type ProviderName = "Oura" | "Whoop" | "Withings" | "Garmin";
export type OAuthProviderName = Exclude<ProviderName, "Garmin">;
export type MetricTileName = "Sleep" | "Readiness";

const PASSWORD = "correct horse battery staple 42";

/** The provider's id in URLs (`/sandbox/oura/…`, `/api/v1/oauth/oura/…`). */
function providerId(provider: ProviderName): string {
  return provider.toLowerCase();
}

/** Creates a new account with a unique email and waits until the app has signed it in. */
export async function signUp(page: Page): Promise<string> {
  const email = `e2e-${Date.now()}-${crypto.randomBytes(3).toString("hex")}@example.com`;
  await page.goto("/sign-up");
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).not.toHaveURL(/\/sign-(up|in)\b/);
  return email;
}

/** A control that may be rendered as a button or as a link styled like one. */
export function action(scope: Page | Locator, name: string): Locator {
  return scope.getByRole("button", { name, exact: true }).or(scope.getByRole("link", { name, exact: true }));
}

/** A provider's card on the Accounts page. */
export function providerCard(page: Page, provider: ProviderName): Locator {
  return page.getByRole("region", { name: provider, exact: true });
}

/** A metric's tile on the dashboard. */
export function metricTile(page: Page, metric: MetricTileName): Locator {
  return page.getByRole("region", { name: metric, exact: true });
}

/**
 * The tile's headline number: the first element (in reading order) whose whole text is a number or
 * "—". It comes before the 7-day/30-day figures and the chart's axis ticks.
 */
export function latestValue(tile: Locator): Locator {
  return tile.getByText(/^(\d+(\.\d+)?|—)$/).first();
}

/**
 * From the Accounts page, starts connecting an OAuth provider and waits on its sandbox consent
 * page (`heading` is how that page names the provider). Returns the authorisation request's URL.
 */
export async function openConsentPage(page: Page, provider: OAuthProviderName, heading: RegExp): Promise<URL> {
  await page.goto("/accounts");
  await expect(page).toHaveURL(/\/accounts$/);
  await action(page, `Connect ${provider}`).click();
  await expect(page).toHaveURL(new RegExp(`/sandbox/${providerId(provider)}/oauth/authorize\\?`));
  await expect(page.getByRole("heading", { name: heading }).first()).toBeVisible();
  return new URL(page.url());
}

/** Answers the consent page (Authorise or Deny) and waits to be back on the Accounts page. */
export async function answerConsent(page: Page, answer: "Authorise" | "Deny"): Promise<void> {
  await action(page, answer).click();
  await expect(page).toHaveURL(/\/accounts(\?|$)/);
}

/**
 * Comes back to the app's OAuth callback as a provider would, with the given query. Returns the URL
 * the callback redirected to: read it here, because the Accounts page removes the outcome
 * parameters from the address bar as soon as it has read them.
 */
export async function visitOAuthCallback(
  page: Page,
  provider: OAuthProviderName,
  query: { code: string; state: string },
): Promise<string> {
  const response = await page.goto(`/api/v1/oauth/${providerId(provider)}/callback?${new URLSearchParams(query)}`);
  expect(response, "the callback leads to a page").not.toBeNull();
  return response!.url();
}

/** The provider's card says Connected. */
export async function expectConnected(page: Page, provider: ProviderName): Promise<void> {
  await expect(providerCard(page, provider).getByText("Connected", { exact: true })).toBeVisible();
}

/** Nothing on the page says Connected, and the provider's card still offers to connect it. */
export async function expectNotConnected(page: Page, provider: ProviderName): Promise<void> {
  await expect(page.getByText("Connected", { exact: true })).toHaveCount(0);
  await expect(action(providerCard(page, provider), `Connect ${provider}`)).toBeVisible();
}

/**
 * Reloads the dashboard until each named tile shows a latest value and a trend chart and names the
 * provider as its source: the first sync runs in the background after connecting.
 */
export async function expectTilesFilledFrom(
  page: Page,
  provider: ProviderName,
  metrics: readonly MetricTileName[],
): Promise<void> {
  await expect(async () => {
    await page.goto("/");
    for (const metric of metrics) {
      const tile = metricTile(page, metric);
      await expect(tile).toBeVisible({ timeout: 2_000 });
      await expect(
        tile.getByText(`from ${provider}`, { exact: true }),
        `${metric} tile names ${provider} as its source`,
      ).toBeVisible({ timeout: 2_000 });
      await expect(latestValue(tile), `${metric} tile shows a latest value`).toHaveText(/^\d+(\.\d+)?$/, {
        timeout: 2_000,
      });
      await expect(tile.locator("svg.recharts-surface").first()).toBeVisible({ timeout: 2_000 });
    }
  }).toPass({ timeout: 60_000, intervals: [1_000, 2_000, 5_000] });
}
