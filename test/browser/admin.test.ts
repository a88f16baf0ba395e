// Administration from the web page: an account marked admin (with the CLI,
// `npm run user -- set <name> --admin`) adds a user who can then sign in and
// log in over DAV, sets a password, adds a room, and removes a user; a
// non-admin does not see the page.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dav, expectAccessible, launchBrowser, newPage, newUser, screenshots, signIn } from "./harness.js";

const PROPFIND = '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:displayname/></D:prop></D:propfind>';

describe("administration", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("lets an admin add a user, who can then use DAV and sign in; adds a room; removes the user", async () => {
    const admin = await newUser("root", { admin: true });
    const page = await newPage(browser);
    await signIn(page, admin, "/app/admin");
    expect(new URL(page.url()).pathname).toBe("/app/admin");
    await expectAccessible(page);

    const name = `${admin.username}-new`;
    await page.getByLabel("User name").fill(name);
    await page.getByLabel("Display name").fill("New Person");
    await page.getByLabel("E-mail address").fill(`${name}@example.com`);
    await page.getByLabel(/^Password/).fill("first-password");
    await page.getByRole("button", { name: "Add" }).click();
    await page.waitForURL((url) => url.search.includes("done=added"));
    await expect.poll(() => page.locator("table").textContent()).toContain("New Person");
    await screenshots(page, "admin");
    expect((await dav("PROPFIND", `/calendars/${name}/`, { username: name, password: "first-password" }, PROPFIND, { Depth: "0" })).status).toBe(207);

    await page.getByLabel("User name").fill(`${admin.username}-room`);
    await page.getByLabel("Display name").fill("Big Room");
    await page.getByLabel("Kind").selectOption("ROOM");
    await page.getByRole("button", { name: "Add" }).click();
    await page.waitForURL((url) => url.search.includes("done=added"));
    await expect.poll(() => page.locator("table").textContent()).toContain("Big Room");

    await page.getByRole("link", { name, exact: true }).click();
    await page.getByLabel("New password").fill("second-password");
    await page.getByRole("button", { name: "Set password" }).click();
    await page.waitForURL((url) => url.search.includes("done=password"));
    expect((await dav("PROPFIND", `/calendars/${name}/`, { username: name, password: "first-password" }, PROPFIND, { Depth: "0" })).status).toBe(401);
    const newcomer = await newPage(browser);
    await signIn(newcomer, { username: name, password: "second-password" });
    expect(new URL(newcomer.url()).pathname).toBe("/app/");

    await page.getByRole("link", { name, exact: true }).click();
    await page.getByLabel(`Yes, delete ${name} and all their data`).check();
    await page.getByRole("button", { name: `Remove ${name}` }).click();
    await page.waitForURL((url) => url.search.includes("done=removed"));
    expect((await dav("PROPFIND", `/calendars/${name}/`, { username: name, password: "second-password" }, PROPFIND, { Depth: "0" })).status).toBe(401);
    await newcomer.reload();
    expect(new URL(newcomer.url()).pathname).toBe("/app/sign-in");
  });

  it("does not show administration to a user who is not an admin", async () => {
    const u = await newUser("plain");
    const page = await newPage(browser);
    await signIn(page, u);
    expect(await page.getByRole("link", { name: "Administration" }).count()).toBe(0);
    const res = await page.goto("/app/admin");
    expect(res!.status()).toBe(404);
  });
});
