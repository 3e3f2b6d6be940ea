import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { action, answerConsent, expectConnected, openConsentPage, providerCard, signUp } from "./support";

/**
 * Your data and account basics: change password, sign out everywhere, sync history with its live
 * region, download my data, delete a provider's data, delete my account; axe on each page and dialog.
 */

const PASSWORD = "correct horse battery staple 42";
const NEW_PASSWORD = "violet lantern orbit 73 mango";

async function expectNoSeriousAxeViolations(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    `${what}: serious or critical axe violations`,
  ).toEqual([]);
}

async function signIn(page: Page, email: string, password: string) {
  await page.goto("/sign-in");
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("change password and sign out everywhere", async ({ page, browser }) => {
  const email = await signUp(page);
  // A second browser signed in to the same account.
  const elsewhere = await browser.newContext();
  const otherPage = await elsewhere.newPage();
  await signIn(otherPage, email, PASSWORD);
  await expect(otherPage).not.toHaveURL(/\/sign-in/);

  await page.goto("/settings");
  await expectNoSeriousAxeViolations(page, "settings");
  await page.getByLabel("Current password").fill("not my password");
  await page.getByLabel("New password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "current password is not correct" })).toBeVisible();

  await page.getByLabel("Current password").fill(PASSWORD);
  await page.getByLabel("New password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Every other session has been signed out" })).toBeVisible();
  // This browser stays signed in; the other one is signed out.
  await page.goto("/settings");
  await expect(page).toHaveURL(/\/settings$/);
  await otherPage.goto("/settings");
  await expect(otherPage).toHaveURL(/\/sign-in/);
  await elsewhere.close();

  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  const dialog = page.getByRole("dialog", { name: "Sign out everywhere?" });
  await expectNoSeriousAxeViolations(page, "sign out everywhere dialog");
  await dialog.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto("/settings");
  await expect(page).toHaveURL(/\/sign-in/);

  await signIn(page, email, NEW_PASSWORD);
  await expect(page).not.toHaveURL(/\/sign-in/);
});

test("sync history, download, delete a provider's data, delete my account", async ({ page }) => {
  const email = await signUp(page);
  await openConsentPage(page, "Oura", /Oura/);
  await answerConsent(page, "Authorise");
  await expectConnected(page, "Oura");
  await expectNoSeriousAxeViolations(page, "accounts");

  // Sync history: the backfill, with its counts, announced politely.
  await providerCard(page, "Oura").getByRole("button", { name: "Oura sync history" }).click();
  const history = page.getByRole("dialog", { name: "Oura sync history" });
  await expect(history.getByText("Backfill").first()).toBeVisible();
  await expect(history.getByText(/records fetched · [\d,]+ metrics written/).first()).toBeVisible({ timeout: 60_000 });
  await expect(history.locator('[aria-live="polite"]')).toHaveText(/Oura sync (finished|running|queued)/);
  await expectNoSeriousAxeViolations(page, "sync history dialog");
  await history.getByRole("button", { name: "Close" }).click();
  await expect(providerCard(page, "Oura").getByRole("button", { name: "Oura sync history" })).toBeFocused();

  // Download my data: dated file names.
  await page.goto("/settings");
  const [json] = await Promise.all([page.waitForEvent("download"), action(page, "Download JSON").click()]);
  expect(json.suggestedFilename()).toMatch(/^wearables-data-\d{4}-\d{2}-\d{2}\.json$/);
  const [zip] = await Promise.all([page.waitForEvent("download"), action(page, "Download CSV (ZIP)").click()]);
  expect(zip.suggestedFilename()).toMatch(/^wearables-data-\d{4}-\d{2}-\d{2}\.zip$/);

  // Delete a provider's data: the confirmation says how many days.
  await expect(page.getByText(/Oura\s+\d+ days of data, connected/)).toBeVisible();
  await page.getByRole("button", { name: "Delete Oura data" }).click();
  const confirm = page.getByRole("dialog", { name: "Delete your Oura data?" });
  await expect(confirm).toContainText(/\d+ days of Oura data/);
  await expectNoSeriousAxeViolations(page, "delete provider data dialog");
  await confirm.getByRole("button", { name: /^Delete \d+ days$/ }).click();
  await expect(page.getByText("No provider has sent any data yet.")).toBeVisible();
  await page.goto("/accounts");
  await expect(action(providerCard(page, "Oura"), "Connect Oura")).toBeVisible();

  // Delete my account, confirmed by typing the email.
  await page.goto("/settings");
  await page.getByRole("button", { name: "Delete my account" }).click();
  const deletion = page.getByRole("dialog", { name: "Delete your account?" });
  const submit = deletion.getByRole("button", { name: "Delete everything" });
  await expect(submit).toBeDisabled();
  await expectNoSeriousAxeViolations(page, "delete account dialog");
  await deletion.getByLabel("Your email").fill(email);
  await expect(submit).toBeEnabled();
  await submit.click();
  await expect(page).toHaveURL(/\/sign-in/);
  await signIn(page, email, PASSWORD);
  await expect(page).toHaveURL(/\/sign-in/);
});
