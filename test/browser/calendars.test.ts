// Calendars from the web page, seen by a DAV client: a calendar created on the
// page appears in a PROPFIND Depth 1 of the home (RFC 4918 §9.1) with its
// resourcetype and components; renaming and recolouring it shows in
// DAV:displayname and calendar-color; deleting asks first, names what is lost,
// and the calendar is gone from the listing.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectAccessible, homeListing, launchBrowser, newPage, newUser, screenshots, signIn, type Credentials } from "./harness.js";

describe("calendars and task lists", () => {
  let browser: Browser;
  let page: Page;
  let u: Credentials;
  beforeAll(async () => {
    browser = await launchBrowser();
    u = await newUser("cal", { name: "Cal Example" });
    page = await newPage(browser);
    await signIn(page, u, "/app/calendars");
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("creates a calendar that a PROPFIND Depth 1 of the home finds, with its name and colour", async () => {
    await expectAccessible(page);
    await page.getByLabel("Name", { exact: true }).fill("Work projects");
    await page.getByLabel("Colour").fill("#c2185b");
    await page.getByLabel(/^Description/).fill("Everything for the office");
    await page.getByLabel(/^Timezone/).fill("Europe/Berlin");
    await page.getByLabel("Tasks").check();
    await page.getByRole("button", { name: "Create" }).click();
    await page.waitForURL((url) => url.search.includes("done=created"));
    await expect.poll(() => page.getByRole("status").textContent()).toContain("Created");
    await expect.poll(() => page.locator("table").textContent()).toContain("Work projects");
    await screenshots(page, "calendars");

    const home = await homeListing(u, ["D:displayname", "A:calendar-color", "C:calendar-description"]);
    const href = `/calendars/${u.username}/work-projects/`;
    expect(home.get(href), [...home.keys()].join(" ")).toEqual({
      displayname: "Work projects",
      "calendar-color": "#C2185BFF",
      "calendar-description": "Everything for the office",
    });
  });

  it("renames and recolours it: PROPFIND shows the new displayname and calendar-color", async () => {
    await page.getByRole("link", { name: "Edit Work projects" }).click();
    await page.waitForURL((url) => url.pathname === "/app/calendars/work-projects");
    await expectAccessible(page);
    await screenshots(page, "calendar-edit");
    await page.getByLabel("Name", { exact: true }).fill("Office");
    await page.getByLabel("Colour").fill("#2e7d32");
    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForURL((url) => url.search.includes("done=saved"));
    const home = await homeListing(u);
    expect(home.get(`/calendars/${u.username}/work-projects/`)).toMatchObject({ displayname: "Office", "calendar-color": "#2E7D32FF" });
  });

  it("refuses an unknown timezone with its reason and creates nothing", async () => {
    await page.goto("/app/calendars");
    await page.getByLabel("Name", { exact: true }).fill("Nowhere");
    await page.getByLabel(/^Timezone/).fill("Mars/Olympus_Mons");
    await page.getByRole("button", { name: "Create" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("not a timezone");
    expect([...(await homeListing(u)).keys()].some((h) => h.includes("nowhere"))).toBe(false);
  });

  it("deletes after a confirmation naming what will be lost", async () => {
    await page.goto("/app/calendars");
    await page.getByRole("link", { name: "Delete Office" }).click();
    await expect.poll(() => page.locator("main").textContent()).toContain("0 items");
    await expectAccessible(page);
    await page.getByRole("button", { name: /^Delete Office/ }).click();
    await page.waitForURL((url) => url.search.includes("done=deleted"));
    expect((await homeListing(u)).has(`/calendars/${u.username}/work-projects/`)).toBe(false);
  });
});
