import { expect, test, type Locator, type Page } from "@playwright/test";
import {
  GARMIN_SANDBOX_EMAILS,
  GARMIN_SANDBOX_MFA_CODE,
  GARMIN_SANDBOX_PASSWORD,
} from "../lib/sandbox/garmin/accounts";
import { expectConnected, expectNotConnected, expectTilesFilledFrom, providerCard, signUp } from "./support";

/**
 * Connecting Garmin through its local sandbox, end to end: Garmin has no OAuth, so the Accounts
 * page's dialog takes the Garmin email and password once (and a verification code for MFA
 * accounts), then the card says Connected and the first sync fills the Sleep and Readiness tiles
 * "from Garmin". Also the wrong-password and wrong-code messages.
 *
 * The connect dialog is a dialog named "Connect Garmin".
 */

async function openGarminDialog(page: Page): Promise<Locator> {
  await page.goto("/accounts");
  await expect(page).toHaveURL(/\/accounts$/);
  await providerCard(page, "Garmin").getByRole("button", { name: "Connect Garmin", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Connect Garmin" });
  await expect(dialog).toBeVisible();
  // The dialog says how the password is treated, and (sandbox) which accounts to use.
  await expect(dialog.getByText(/used once to establish a Garmin session/)).toBeVisible();
  await expect(dialog.getByText(/Your password is not stored/)).toBeVisible();
  await expect(dialog.getByText(`Sandbox: sign in as ${GARMIN_SANDBOX_EMAILS.plain}`, { exact: false })).toBeVisible();
  return dialog;
}

async function signInToGarmin(dialog: Locator, email: string, password: string): Promise<void> {
  await dialog.getByLabel("Email", { exact: true }).fill(email);
  await dialog.getByLabel("Password", { exact: true }).fill(password);
  await dialog.getByRole("button", { name: "Sign in to Garmin" }).click();
}

test("connect an MFA Garmin account with the emailed code and see its data on the dashboard", async ({ page }) => {
  await signUp(page);
  const dialog = await openGarminDialog(page);

  // A wrong password first: a clear message, nothing connected.
  await signInToGarmin(dialog, GARMIN_SANDBOX_EMAILS.mfa, "not-my-password");
  await expect(dialog.getByRole("alert")).toHaveText(/did not accept that email and password/);
  await expect(dialog.getByLabel("Password", { exact: true })).toHaveValue("");

  await signInToGarmin(dialog, GARMIN_SANDBOX_EMAILS.mfa, GARMIN_SANDBOX_PASSWORD);
  const codeDialog = page.getByRole("dialog", { name: "Enter the code Garmin sent you" });
  await expect(codeDialog).toBeVisible();
  const code = codeDialog.getByLabel("Verification code");
  await expect(code).toHaveAttribute("autocomplete", "one-time-code");
  await expect(code).toHaveAttribute("inputmode", "numeric");

  // A wrong code can be corrected.
  await code.fill("000000");
  await codeDialog.getByRole("button", { name: "Verify" }).click();
  await expect(codeDialog.getByRole("alert")).toHaveText(/not the one Garmin sent/);

  await code.fill(GARMIN_SANDBOX_MFA_CODE);
  await codeDialog.getByRole("button", { name: "Verify" }).click();
  await expect(codeDialog).toBeHidden();
  await expect(page.getByText("Garmin connected").first()).toBeVisible();
  await expectConnected(page, "Garmin");
  await expectTilesFilledFrom(page, "Garmin", ["Sleep", "Readiness"]);
});

test("a locked Garmin account is explained and nothing is connected", async ({ page }) => {
  await signUp(page);
  const dialog = await openGarminDialog(page);
  await signInToGarmin(dialog, GARMIN_SANDBOX_EMAILS.locked, GARMIN_SANDBOX_PASSWORD);
  await expect(dialog.getByRole("alert")).toHaveText(/locked/);
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expectNotConnected(page, "Garmin");
});
