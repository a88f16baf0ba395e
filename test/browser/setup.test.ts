// Set-up help: the page names the server, user and principal URL, links
// DAVx5 (davx5:// or caldav:// for plain loopback HTTP) with a QR code, and
// the Apple profile downloads as a CalDAV account payload without a password
// unless one is asked for, which is then a working app password.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dav, expectAccessible, launchBrowser, newPage, newUser, screenshots, server, signIn } from "./harness.js";

const PROPFIND = '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:displayname/></D:prop></D:propfind>';

describe("set-up help", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("shows the addresses, a DAVx5 link and QR code, and an Apple profile with and without a password", async () => {
    const u = await newUser("sam");
    const page = await newPage(browser);
    await signIn(page, u, "/app/setup");
    const text = await page.locator("main").textContent();
    expect(text).toContain(`${server().url}/principals/${u.username}/`);
    const host = new URL(server().url).host;
    expect(await page.getByRole("link", { name: "Open DAVx⁵ with this server" }).getAttribute("href")).toBe(`caldav://${u.username}@${host}/`);
    expect(await page.getByRole("img", { name: /QR code/ }).count()).toBe(1);
    await expectAccessible(page);
    await screenshots(page, "setup");

    const plain = await page.request.get("/app/setup/apple.mobileconfig");
    expect(plain.headers()["content-type"]).toBe("application/x-apple-aspen-config");
    const profile = await plain.text();
    expect(profile).toContain("<string>com.apple.caldav.account</string>");
    expect(profile).toContain(`<key>CalDAVUsername</key><string>${u.username}</string>`);
    expect(profile).toContain(`<key>CalDAVPrincipalURL</key><string>${server().url}/principals/${u.username}/</string>`);
    expect(profile).not.toContain("CalDAVPassword");

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: /new app password inside/ }).click()]);
    const withPassword = await new Response((await download.createReadStream()) as unknown as ReadableStream).text();
    const secret = /<key>CalDAVPassword<\/key><string>([^<]+)<\/string>/.exec(withPassword)?.[1];
    expect(secret).toBeDefined();
    expect((await dav("PROPFIND", `/calendars/${u.username}/`, { username: u.username, password: secret! }, PROPFIND, { Depth: "0" })).status).toBe(207);
  });
});
