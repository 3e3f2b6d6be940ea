import fs from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import {
  answerConsent,
  expectConnected,
  expectTilesFilledFrom,
  latestValue,
  metricTile,
  openConsentPage,
  signUp,
} from "./support";

/**
 * The dashboard and the detail views with three providers connected through their sandboxes
 * (Oura and Whoop both report sleep score; Withings brings weight): tile values in the server's
 * HTML, a tile per category with data, every detail view with each range, the source overlay, a
 * reordered source priority, imperial units, and screenshots at three widths.
 */

const CATEGORIES = [
  { id: "sleep", title: "Sleep", headline: "Sleep score" },
  { id: "readiness", title: "Readiness", headline: "Readiness" },
  { id: "activity", title: "Activity", headline: "Steps" },
  { id: "heart", title: "Heart", headline: "Resting heart rate" },
  { id: "stress", title: "Stress and resilience", headline: "Average stress" },
  { id: "body", title: "Body", headline: "Weight" },
] as const;
const RANGES = [7, 30, 90, 365] as const;
// Outside test-results/, which a parallel Playwright run may clear.
const SCREENSHOTS = process.env.E2E_SCREENSHOTS_DIR || path.join(".data", "screenshots");

async function connect(page: Page, provider: "Oura" | "Whoop" | "Withings", heading: RegExp) {
  await openConsentPage(page, provider, heading);
  await answerConsent(page, "Authorise");
  await expectConnected(page, provider);
}

/** Reloads the dashboard until the Sleep tile lists Whoop as the other source (its sync has finished). */
async function expectSleepAlsoFrom(page: Page, provider: string) {
  await expect(async () => {
    await page.goto("/");
    await expect(metricTile(page, "Sleep").getByText(new RegExp(`also from: .*${provider}`))).toBeVisible({
      timeout: 2_000,
    });
  }).toPass({ timeout: 240_000, intervals: [2_000, 5_000] });
}

async function screenshots(page: Page, name: string) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  for (const width of [360, 768, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await page.evaluate(() => window.scrollTo(0, 0));
    // The first chart is on screen: wait until it has drawn.
    await expect(page.locator("svg.recharts-surface").first()).toBeVisible();
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
  }
}

test("dashboard tiles in the server's HTML, detail views, overlay, source priority and units", async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(600_000);
  await signUp(page);
  await connect(page, "Oura", /Oura/);
  await connect(page, "Whoop", /WHOOP/);
  await connect(page, "Withings", /Withings/);
  await expectTilesFilledFrom(page, "Oura", ["Sleep", "Readiness"]);
  await expectSleepAlsoFrom(page, "Whoop");

  await test.step("tile values are in the HTML of / (no JavaScript needed)", async () => {
    const html = await (await page.request.get("/")).text();
    const sleepValue = (await latestValue(metricTile(page, "Sleep")).textContent())!.trim();
    expect(html).toContain('aria-label="Sleep"');
    expect(html).toContain(`<span>${sleepValue}</span>`);
    expect(html).toContain("from Oura");

    const noScript = await browser.newContext({ javaScriptEnabled: false, baseURL });
    await noScript.addCookies(await page.context().cookies());
    const plain = await noScript.newPage();
    await plain.goto("/");
    await expect(latestValue(metricTile(plain, "Sleep"))).toHaveText(sleepValue);
    await expect(latestValue(metricTile(plain, "Readiness"))).toHaveText(/^\d+$/);
    await noScript.close();
  });

  await test.step("a tile for each category with data, none without", async () => {
    await page.goto("/");
    for (const title of ["Sleep", "Readiness", "Activity", "Resting heart rate", "HRV", "High stress", "Weight"])
      await expect(page.getByRole("region", { name: title, exact: true })).toBeVisible();
    // Oura's daily_stress gives high-stress time; nobody connected Garmin, the only source of average stress.
    await expect(page.getByRole("region", { name: "Stress", exact: true })).toHaveCount(0);
    await screenshots(page, "dashboard");
  });

  await test.step("every detail view with each range", async () => {
    await page.goto("/");
    await page.getByRole("link", { name: "Sleep details" }).click();
    await expect(page).toHaveURL(/\/trends\/sleep$/);
    for (const category of CATEGORIES)
      for (const range of RANGES) {
        await page.goto(`/trends/${category.id}?range=${range}`);
        await expect(page.getByRole("heading", { level: 1, name: category.title })).toBeVisible();
        await expect(
          page.getByRole("navigation", { name: "Range" }).getByRole("link", { name: `${range} days` }),
        ).toHaveAttribute("aria-current", "page");
        await expect(page.getByRole("region", { name: category.headline, exact: true })).toBeVisible();
      }
    // Sleep: the stages of each night and the contributors.
    await page.goto("/trends/sleep?range=30");
    const stages = page.getByRole("region", { name: "Sleep stages" });
    await expect(stages.getByRole("application")).toBeVisible();
    for (const stage of ["Deep", "REM", "Light", "Awake"])
      await expect(stages.getByRole("img", { name: `${stage} legend icon` })).toBeVisible();
    const contributors = page.getByRole("region", { name: "Contributors" });
    for (const name of ["Total sleep", "HRV (RMSSD)", "Resting heart rate"])
      await expect(contributors.getByRole("region", { name, exact: true })).toBeVisible();
    await expect(page.getByRole("region", { name: "Sleep score" }).getByText("30-day baseline (±1 SD)")).toBeVisible();
    await screenshots(page, "trends-sleep");
    // A range is kept across a reload (it lives in the URL).
    await page.getByRole("link", { name: "90 days" }).click();
    await expect(page).toHaveURL(/range=90/);
    await page.reload();
    await expect(page.getByRole("link", { name: "90 days" })).toHaveAttribute("aria-current", "page");
  });

  let whoopLatest = "";
  await test.step("the overlay draws one line per source", async () => {
    await page.goto("/trends/sleep?range=30");
    const headline = page.getByRole("region", { name: "Sleep score", exact: true });
    const toggle = headline.getByRole("button", { name: "Compare sources" });
    await expect(toggle).toHaveAttribute("aria-pressed", "false");
    await toggle.click();
    await expect(toggle).toHaveAttribute("aria-pressed", "true");
    await expect(headline.locator(".recharts-legend-item-text")).toContainText(["Oura", "Whoop"]);
    const compared = headline.getByRole("list", { name: "Sources compared" });
    whoopLatest = (await compared.getByRole("listitem").filter({ hasText: "Whoop" }).locator("span").textContent())!;
    expect(whoopLatest).toMatch(/^\d+$/);
  });

  await test.step("a reordered source priority changes the tile's value and source label", async () => {
    await page.goto("/settings");
    const order = page.getByRole("list", { name: "Source order for Sleep score" });
    await expect(order.getByRole("listitem").first()).toContainText("Oura");
    for (let i = 0; i < 3; i++) {
      const up = page.getByRole("button", { name: "Move Whoop up for Sleep score" });
      await expect(up).toBeEnabled();
      await up.click();
    }
    await expect(order.getByRole("listitem").first()).toContainText("Whoop");
    await expect(page.getByRole("button", { name: "Move Whoop up for Sleep score" })).toBeDisabled();
    await page.goto("/");
    const sleep = metricTile(page, "Sleep");
    await expect(sleep.getByText("from Whoop", { exact: true })).toBeVisible();
    await expect(sleep.getByText("also from: Oura", { exact: false })).toBeVisible();
    await expect(latestValue(sleep)).toHaveText(whoopLatest);
    // The detail view follows the same order.
    await page.goto("/trends/sleep?range=7");
    await expect(page.getByRole("region", { name: "Sleep score", exact: true }).getByText("from Whoop")).toBeVisible();
  });

  await test.step("imperial units", async () => {
    // Playwright's Chromium speaks en-US, so "Automatic" already means imperial: pick metric first.
    await page.goto("/settings");
    await page.getByRole("radio", { name: /Metric/ }).check();
    await expect(page.getByRole("radio", { name: /Metric/ })).toBeEnabled(); // saved
    await expect(page.getByText("Units saved").first()).toBeVisible();
    await page.goto("/");
    const weight = page.getByRole("region", { name: "Weight", exact: true });
    await expect(weight.getByText("kg", { exact: true }).first()).toBeVisible();
    await page.goto("/settings");
    await page.getByRole("radio", { name: /Imperial/ }).check();
    await expect(page.getByRole("radio", { name: /Imperial/ })).toBeEnabled(); // saved
    await expect(page.getByRole("radio", { name: /Imperial/ })).toBeChecked();
    await expect(page.getByText("Units saved").first()).toBeVisible();
    await page.goto("/");
    await expect(weight.getByText("lb", { exact: true }).first()).toBeVisible();
    await expect(weight.getByText("kg", { exact: true })).toHaveCount(0);
    await page.goto("/trends/body?range=30");
    await expect(
      page.getByRole("region", { name: "Weight", exact: true }).getByText(/average [\d.,]+ lb/),
    ).toBeVisible();
    // Back to automatic: a German browser gets metric units and German number formatting.
    await page.goto("/settings");
    await page.getByRole("radio", { name: /Automatic/ }).check();
    await expect(page.getByRole("radio", { name: /Automatic/ })).toBeEnabled(); // saved
    await expect(page.getByText("Units saved").first()).toBeVisible();
    const german = await browser.newContext({ locale: "de-DE", baseURL });
    await german.addCookies(await page.context().cookies());
    const de = await german.newPage();
    await de.goto("/trends/body?range=30");
    await expect(
      de
        .getByRole("region", { name: "Weight", exact: true })
        .getByText(/^\d+,\d kg$/)
        .first(),
    ).toBeVisible();
    await german.close();
  });
});
