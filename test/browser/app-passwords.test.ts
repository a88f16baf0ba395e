// App passwords from the web page: one is created with a label and shown once,
// works for DAV (HTTP Basic), is listed with its creation time, does not sign
// in to the page, and once revoked the next DAV request is refused (401).
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dav, expectAccessible, launchBrowser, newPage, newUser, screenshots, signIn } from "./harness.js";

const PROPFIND = '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:current-user-principal/></D:prop></D:propfind>';

describe("app passwords", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("creates one, shows it once, lets DAV log in with it, revokes it, and the next DAV request is 401", async () => {
    const u = await newUser("dev");
    const page = await newPage(browser);
    await signIn(page, u, "/app/app-passwords");
    await page.getByLabel("Label").fill("Test phone");
    await page.getByRole("button", { name: "Create" }).click();
    const secret = (await page.locator("#secret").textContent())!.trim();
    expect(secret).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){7}$/);
    await expectAccessible(page);
    await screenshots(page, "app-password-created");

    const asApp = { username: u.username, password: secret };
    expect((await dav("PROPFIND", "/", asApp, PROPFIND, { Depth: "0" })).status).toBe(207);

    // An app password is for DAV clients, not for the page.
    const other = await newPage(browser);
    await other.goto("/app/sign-in");
    await other.getByLabel("Account name or e-mail address").fill(u.username);
    await other.getByLabel("Password", { exact: true }).fill(secret);
    await other.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => other.getByRole("alert").textContent()).toContain("wrong");

    await page.getByRole("link", { name: "Done" }).click();
    await expect.poll(() => page.locator("table").textContent()).toContain("Test phone");
    expect(await page.locator("table").textContent()).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    await expectAccessible(page);
    await screenshots(page, "app-passwords");
    await page.getByRole("button", { name: "Revoke Test phone" }).click();
    await page.waitForURL((url) => url.search.includes("done=revoked"));
    expect(await page.locator("main").textContent()).not.toContain("Test phone");

    expect((await dav("PROPFIND", "/", asApp, PROPFIND, { Depth: "0" })).status).toBe(401);
    expect((await dav("PROPFIND", "/", u, PROPFIND, { Depth: "0" })).status).toBe(207);
  });
});
