import crypto from "node:crypto";
import { expect, test, type Page, type Request } from "@playwright/test";
import { providerCard, signUp } from "./support";

/**
 * Sign-in and sign-up as an attacker (and an unlucky user) would meet them: forms that work without
 * JavaScript and never put the password in a URL, callback URLs that cannot lead off the site, the
 * attempt limit's message, and the password policy's.
 */

const PASSWORD = "violet tractor umbrella 7";

function uniqueEmail(prefix: string): string {
  return `${prefix}-${Date.now()}-${crypto.randomBytes(3).toString("hex")}@example.com`;
}

/** Every request the page makes, to check that no URL carries the password. */
function recordRequests(page: Page): Request[] {
  const requests: Request[] = [];
  page.on("request", (request) => requests.push(request));
  return requests;
}

function expectNoUrlContains(requests: Request[], secret: string): void {
  const leaks = requests
    .map((request) => request.url())
    .filter((url) => [secret, encodeURIComponent(secret), secret.replaceAll(" ", "+")].some((s) => url.includes(s)));
  expect(leaks).toEqual([]);
}

async function fillCredentials(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
}

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("sign-up and sign-in work by POST, and no request URL contains the password", async ({ page }) => {
    const requests = recordRequests(page);
    const email = uniqueEmail("nojs");

    await page.goto("/sign-up?callbackUrl=%2Faccounts");
    await fillCredentials(page, email, PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    // Signed in by the form's POST: the Accounts page, which sends visitors without a session to
    // /sign-in, is shown.
    await expect(page).toHaveURL(/\/accounts$/);

    await page.context().clearCookies();
    await page.goto("/sign-in");
    await fillCredentials(page, email, "not my password at all");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/sign-in\?error=credentials$/);
    await expect(page.getByRole("main").getByRole("alert")).toHaveText("Email or password is incorrect");

    await fillCredentials(page, email, PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/^http:\/\/[^/]+\/$/);
    await page.goto("/accounts");
    await expect(page).toHaveURL(/\/accounts$/);

    const submits = requests.filter((request) => /\/sign-(in|up)\/submit$/.test(new URL(request.url()).pathname));
    expect(submits.length).toBe(3);
    for (const submit of submits) expect(submit.method()).toBe("POST");
    expect(requests.filter((request) => request.method() === "GET" && request.url().includes("email="))).toEqual([]);
    expectNoUrlContains(requests, PASSWORD);
    expectNoUrlContains(requests, "not my password at all");
  });

  test("a common password is refused with the reason, without JavaScript", async ({ page }) => {
    const requests = recordRequests(page);
    await page.goto("/sign-up");
    await fillCredentials(page, uniqueEmail("weak"), "password123");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page).toHaveURL(/\/sign-up\?error=password&reason=common$/);
    await expect(page.getByRole("main").getByRole("alert")).toHaveText(
      /too easy to guess: it is on a list of commonly used passwords/,
    );
    expectNoUrlContains(requests, "password123");
  });
});

test.describe("with JavaScript", () => {
  test("a common or repetitive password is refused at sign-up with the reason", async ({ page }) => {
    await page.goto("/sign-up");
    for (const [password, why] of [
      ["password123", /commonly used password/],
      ["aaaaaaaaaa", /repeats characters/],
    ] as const) {
      await fillCredentials(page, uniqueEmail("weak-js"), password);
      await page.getByRole("button", { name: "Create account" }).click();
      await expect(page.getByRole("main").getByRole("alert")).toHaveText(why);
      await expect(page).toHaveURL(/\/sign-up$/);
    }
  });

  test("after five wrong passwords the form says how long to wait, and the right one is refused too", async ({
    page,
  }) => {
    const email = await signUp(page);
    await page.context().clearCookies();
    await page.goto("/sign-in");
    for (let i = 0; i < 5; i++) {
      await fillCredentials(page, email, `wrong password ${i}`);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page.getByRole("main").getByRole("alert")).toHaveText("Email or password is incorrect");
    }
    await fillCredentials(page, email, "correct horse battery staple 42");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("main").getByRole("alert")).toHaveText(
      /^Too many sign-in attempts\. Try again in \d+ minutes\.$/,
    );
    await expect(page).toHaveURL(/\/sign-in$/);
  });

  test("the Garmin dialog's forms can only POST", async ({ page }) => {
    await signUp(page);
    await page.goto("/accounts");
    await providerCard(page, "Garmin").getByRole("button", { name: "Connect Garmin", exact: true }).click();
    const form = page.getByRole("dialog", { name: "Connect Garmin" }).locator("form");
    await expect(form).toHaveAttribute("method", "post");
    await expect(form).toHaveAttribute("action", /\/api\/v1\/(session\/)?garmin\/login$/);
  });
});

test.describe("callback URLs never lead off the site", () => {
  const ATTACKS = [
    "/.//evil.example/x",
    "/..//evil.example",
    "/%2e//evil.example",
    "//evil.example/x",
    "/\\evil.example",
  ];

  test("the signed-out pages link and post only to same-origin paths", async ({ page }) => {
    for (const attack of ATTACKS) {
      for (const path of ["/sign-in", "/sign-up"]) {
        const response = await page.goto(`${path}?callbackUrl=${encodeURIComponent(attack)}`);
        expect(response?.status()).toBe(200);
        // (The page's own address is in its HTML payload; what matters is where its links and form lead.)
        const offSite = page.locator('[href*="evil.example"], [action*="evil.example"], input[value*="evil.example"]');
        await expect(offSite, `${path} with callbackUrl=${attack}`).toHaveCount(0);
        await expect(page.locator('input[name="callbackUrl"]')).toHaveValue("/");
        await expect(
          page.getByRole("link", { name: path === "/sign-in" ? "Create an account" : "Sign in" }),
        ).toHaveAttribute("href", path === "/sign-in" ? "/sign-up" : "/sign-in");
      }
    }
  });

  test("a signed-in visitor is sent to / (307), never to the other host", async ({ page }) => {
    await signUp(page);
    for (const attack of ATTACKS) {
      for (const path of ["/sign-in", "/sign-up"]) {
        const response = await page.request.get(`${path}?callbackUrl=${encodeURIComponent(attack)}`, {
          maxRedirects: 0,
        });
        expect(response.status(), `${path} with callbackUrl=${attack}`).toBe(307);
        expect(response.headers()["location"]).toBe("/");
      }
    }
    const kept = await page.request.get(`/sign-in?callbackUrl=${encodeURIComponent("/accounts?x=1")}`, {
      maxRedirects: 0,
    });
    expect(kept.status()).toBe(307);
    expect(kept.headers()["location"]).toBe("/accounts?x=1");
  });
});
