// Import and export on the web page in real Chromium (issue 11 items 5 and
// 6): a 500-event file (series with overrides, embedded time zones) goes in
// through the upload form, its progress bar moves to the end, every event is
// found by a CalDAV calendar-query (RFC 4791 §7.8), the Export button's file
// holds the same event set, and the subscription URL works, is re-made and
// turned off.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventSet, generatedIcs } from "../helpers/import-files.js";
import { screenshotDir } from "./node.mjs";
import { dav, expectAccessible, launchBrowser, newPage, newUser, screenshots, server, signIn, type Credentials } from "./harness.js";

/** Node's Buffer, which playwright's file inputs take (the test project has no Node types). */
const fileBuffer = (text: string) => (globalThis as unknown as { Buffer: { from(s: string): never } }).Buffer.from(text);

/** Member names a calendar-query for every VEVENT of a calendar answers. */
async function queriedNames(u: Credentials, calendar = "calendar"): Promise<string[]> {
  const body = `<?xml version="1.0" encoding="utf-8"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
    <D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter></C:filter></C:calendar-query>`;
  const res = await dav("REPORT", `/calendars/${u.username}/${calendar}/`, u, body, { Depth: "1" });
  expect(res.status).toBe(207);
  const xml = await res.text();
  return [...xml.matchAll(/<(?:\w+:)?href>([^<]*)</g)].map((m) => decodeURIComponent(m[1]!.split("/").pop()!)).sort();
}

/** Uploads `text` through the import form and follows the progress to the summary; returns the progress texts seen. */
async function importThroughPage(page: Page, text: string, mode: "skip" | "replace" = "skip", whileRunning?: () => Promise<void>): Promise<string[]> {
  await page.goto("/app/transfer");
  await page.getByLabel("iCalendar file (.ics)").setInputFiles({ name: "old-calendar.ics", mimeType: "text/calendar", buffer: fileBuffer(text) });
  await page.getByLabel("Into calendar").selectOption("calendar");
  await page.getByLabel(mode === "skip" ? /Keep what is there/ : /Replace it/).check();
  await Promise.all([page.waitForURL(/\/app\/transfer\/import\/[0-9a-f-]{36}$/), page.getByRole("button", { name: "Import", exact: true }).click()]);
  const seen: string[] = [];
  for (let i = 0; i < 600; i++) {
    if (await page.getByRole("heading", { name: "Summary" }).isVisible().catch(() => false)) return seen;
    const t = await page.locator("[data-progress-text]").textContent({ timeout: 1_000 }).catch(() => null);
    if (t && seen[seen.length - 1] !== t) {
      if (seen.length === 0) await whileRunning?.();
      seen.push(t);
    }
    await page.waitForTimeout(100);
  }
  throw new Error(`the import did not finish; progress seen: ${seen.join(", ")}`);
}

describe("import and export page", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("imports 500 events with a progress bar to the end, finds every one by calendar-query, and exports the same event set", async () => {
    const u = await newUser("imp");
    const page = await newPage(browser);
    await signIn(page, u, "/app/transfer");
    await expect.poll(() => page.locator("h1").textContent()).toBe("Import and export");
    await expect.poll(() => page.getByRole("note").textContent()).toContain("Imported meetings send no invitations");
    await screenshots(page, "transfer");
    await expectAccessible(page);

    const file = generatedIcs(500, `web-${u.username}`);
    const seen = await importThroughPage(page, file.text, "skip", async () => {
      // The page's script reloads to the summary when the job has finished: its progress requests wait while the
      // progress page is photographed and checked, so the check is not cut short by that navigation.
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      await page.route("**/progress", async (route) => {
        await held;
        await route.continue();
      });
      try {
        await page.screenshot({ path: `${screenshotDir()}/import-progress-desktop.png` });
        await expectAccessible(page);
      } finally {
        release(); // the route stays: from now on it lets every request through at once
      }
    });
    // The bar was shown before the end and moved while the home stored the objects, in order, within 0..500.
    const counts = seen.map((t) => Number(/^(\d+) of 500 objects$/.exec(t)?.[1] ?? NaN));
    expect(counts[0], seen.join(", ")).toBeLessThan(500);
    expect(counts.every((n) => n >= 0 && n <= 500), seen.join(", ")).toBe(true);
    for (let i = 1; i < counts.length; i++) expect(counts[i]!).toBeGreaterThanOrEqual(counts[i - 1]!);
    const jobUrl = new URL(page.url()).pathname;
    const progress = await (await page.request.get(`${jobUrl}/progress`)).json();
    expect(progress).toEqual({ done: 500, total: 500, finished: true, imported: 500, replaced: 0, skipped: 0 });
    await expect.poll(() => page.getByRole("status").textContent()).toContain("500 imported, 0 replaced, 0 skipped");
    await screenshots(page, "import-summary");
    await expectAccessible(page);

    expect(await queriedNames(u)).toEqual(file.uids.map((id) => `${id}.ics`).sort());

    await page.goto("/app/transfer");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: /^Export Calendar/ }).click()]);
    const chunks = (await (await download.createReadStream()).toArray()) as Uint8Array[];
    const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
    chunks.reduce((at, c) => (bytes.set(c, at), at + c.byteLength), 0);
    const text = new TextDecoder().decode(bytes);
    expect(text.match(/^BEGIN:VCALENDAR/gm)).toHaveLength(1);
    expect(text.match(/^TZID:Europe\/Berlin/gm)).toHaveLength(1);
    expect(eventSet(text)).toEqual(eventSet(file.text));
  }, 180_000);

  it("replaces or skips existing UIDs as chosen, and refuses a file that is not iCalendar with its reason", async () => {
    const u = await newUser("imr");
    const page = await newPage(browser, "phone");
    await signIn(page, u, "/app/transfer");
    const file = generatedIcs(20, `rep-${u.username}`);
    await importThroughPage(page, file.text);
    await importThroughPage(page, file.text.replaceAll("SUMMARY:Event", "SUMMARY:Changed"), "skip");
    await expect.poll(() => page.getByRole("status").textContent()).toContain("0 imported, 0 replaced, 20 skipped");
    await expect.poll(() => page.locator("table").textContent()).toContain("already in this calendar");
    await importThroughPage(page, file.text.replaceAll("SUMMARY:Event", "SUMMARY:Changed"), "replace");
    await expect.poll(() => page.getByRole("status").textContent()).toContain("0 imported, 20 replaced, 0 skipped");

    await page.goto("/app/transfer");
    await page.getByLabel("iCalendar file (.ics)").setInputFiles({ name: "contact.vcf", mimeType: "text/vcard", buffer: fileBuffer("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Sam\r\nEND:VCARD\r\n") });
    await page.getByRole("button", { name: "Import", exact: true }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("not an iCalendar file: line 1: expected BEGIN:VCALENDAR");
    expect(await queriedNames(u)).toHaveLength(20);
  }, 120_000);

  it("offers a subscription URL that works without a login, can be re-made (the old one 404) and turned off (404)", async () => {
    const u = await newUser("sub");
    const page = await newPage(browser);
    await signIn(page, u, "/app/transfer");
    await importThroughPage(page, generatedIcs(3, `sub-${u.username}`).text);
    await page.goto("/app/transfer");
    await page.getByRole("button", { name: "Make a subscription URL for Calendar" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toContain("The subscription URL is ready.");
    const field = page.getByLabel("Subscription URL of Calendar");
    const first = await field.inputValue();
    expect(first).toMatch(new RegExp(`^${server().url}/subscribe/[A-Za-z0-9_-]{43}\\.ics$`));
    expect(await page.getByRole("link", { name: /webcal/ }).getAttribute("href")).toBe(first.replace(/^http:/, "webcal:"));
    await expectAccessible(page);
    const got = await fetch(first);
    expect(got.status).toBe(200);
    expect(got.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
    expect(await got.text()).toContain(`UID:sub-${u.username}-0@import.test`);

    await page.getByRole("button", { name: "Make a new URL for Calendar" }).click();
    await expect.poll(() => page.getByLabel("Subscription URL of Calendar").inputValue()).not.toBe(first);
    const second = await page.getByLabel("Subscription URL of Calendar").inputValue();
    expect((await fetch(first)).status).toBe(404);
    expect((await fetch(second)).status).toBe(200);

    await page.getByRole("button", { name: "Turn off the URL of Calendar" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toContain("turned off");
    expect((await fetch(second)).status).toBe(404);
  }, 120_000);
});
