// Signing in to the web page in real Chromium: the server's root leads a
// browser there, a wrong password is refused, the right one opens the
// overview, signing out ends the session, and an unauthenticated page
// request is sent to the sign-in.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectAccessible, launchBrowser, newPage, newUser, screenshots, server, signIn } from "./harness.js";

describe("sign-in", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("leads a browser from the server's root to the sign-in, refuses a wrong password, and signs in with the right one", async () => {
    const u = await newUser("ann");
    const page = await newPage(browser);
    await page.goto("/");
    expect(new URL(page.url()).pathname).toBe("/app/sign-in");
    await screenshots(page, "sign-in");
    await expectAccessible(page);

    await page.getByLabel("Account name or e-mail address").fill(u.username);
    await page.getByLabel("Password", { exact: true }).fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("wrong");
    expect(new URL(page.url()).pathname).toBe("/app/sign-in");

    await page.getByLabel("Password", { exact: true }).fill(u.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.pathname === "/app/");
    await expect.poll(() => page.locator("h1").textContent()).toContain("Ann Example");
    await screenshots(page, "overview");
    await expectAccessible(page);

    await page.getByRole("button", { name: /Sign out/ }).first().click();
    await page.waitForURL((url) => url.pathname === "/app/sign-in");
    await page.goto("/app/calendars");
    expect(new URL(page.url()).pathname).toBe("/app/sign-in");
  });

  it("sends an unauthenticated page request to the sign-in, and back to the page after it", async () => {
    const u = await newUser("ben");
    const page = await newPage(browser, "phone");
    const res = await fetch(`${server().url}/app/calendars`, { redirect: "manual" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/app/sign-in?next=%2Fapp%2Fcalendars");
    await signIn(page, u, "/app/setup");
    expect(new URL(page.url()).pathname).toBe("/app/setup");
  });

  it("signs in with the e-mail address instead of the account name", async () => {
    const u = await newUser("cat");
    const page = await newPage(browser);
    await signIn(page, { username: u.emails[0]!, password: u.password });
    expect(new URL(page.url()).pathname).toBe("/app/");
  });
});
