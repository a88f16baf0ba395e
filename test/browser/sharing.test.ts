// Sharing a calendar on the web page in real Chromium (issue 13 on the page
// of issue 11; calendarserver-sharing): Alice shares her calendar with Bob
// read-write through the page (the CS:share a client sends), Bob signs in,
// finds the invitation, accepts (CS:invite-reply) and sees the calendar
// listed as shared by Alice, and a PROPFIND Depth 1 of his home finds it;
// Alice makes him read-only, then removes him, and Bob's list and home no
// longer have it. axe-core on the sharing page and the calendars page with a
// shared calendar.
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { expectAccessible, homeListing, newPage, newUser, screenshots, signIn, useBrowser, type Credentials } from "./harness.js";

describe("sharing a calendar", () => {
  const browser = useBrowser();
  let alice: Credentials & { emails: string[] };
  let bob: Credentials & { emails: string[] };
  let alicePage: Page;
  let bobPage: Page;
  beforeAll(async () => {
    [alice, bob] = await Promise.all([newUser("alice", { name: "Alice Example" }), newUser("bob", { name: "Bob Example" })]);
    [alicePage, bobPage] = await Promise.all([newPage(browser()), newPage(browser())]);
    await signIn(alicePage, alice, "/app/calendars");
  });

  /** Bob's own calendars: what a PROPFIND Depth 1 of his home lists besides the shared one. */
  const bobsHome = async () => [...(await homeListing(bob)).keys()];

  it("Alice shares her calendar with Bob read-write from the page", async () => {
    await alicePage.getByRole("link", { name: /^Share / }).first().click();
    await alicePage.waitForURL((u) => u.pathname === "/app/calendars/calendar/sharing");
    await expect.poll(() => alicePage.locator("main").textContent()).toContain("Not shared with anyone yet");
    await expectAccessible(alicePage);
    await alicePage.getByLabel("Account name or e-mail address").fill(bob.emails[0]!);
    await alicePage.getByLabel("Read and write").check();
    await alicePage.getByRole("button", { name: "Share", exact: true }).click();
    await alicePage.waitForURL((u) => u.searchParams.get("done") === "shared");
    await expect.poll(() => alicePage.getByRole("status").textContent()).toContain("Shared");
    const row = alicePage.getByRole("row", { name: /Bob Example/ });
    await expect.poll(() => row.textContent()).toContain("Waiting for an answer");
    await screenshots(alicePage, "sharing");
    await expectAccessible(alicePage);
  });

  it("Bob signs in, sees the invitation, accepts, and the calendar is listed as shared by Alice and in his home", async () => {
    const before = await bobsHome();
    await signIn(bobPage, bob, "/app/calendars");
    await expect.poll(() => bobPage.getByRole("heading", { name: "Invitations to shared calendars" }).count()).toBe(1);
    await expectAccessible(bobPage);
    await bobPage.getByRole("button", { name: /^Accept/ }).click();
    await bobPage.waitForURL((u) => u.searchParams.get("done") === "accepted");
    const row = bobPage.getByRole("row", { name: /shared by Alice Example/ });
    await expect.poll(() => row.textContent()).toContain("Read and write");
    await screenshots(bobPage, "calendars-shared");
    await expectAccessible(bobPage);
    const after = await bobsHome();
    expect(after.filter((h) => !before.includes(h))).toHaveLength(1);
  });

  it("Alice changes Bob to read-only: Bob's page says so", async () => {
    await alicePage.reload();
    await expect.poll(() => alicePage.getByRole("row", { name: /Bob Example/ }).textContent()).toContain("Accepted");
    await alicePage.getByLabel("Access for Bob Example").selectOption("read");
    await alicePage.getByRole("button", { name: "Change access for Bob Example" }).click();
    await alicePage.waitForURL((u) => u.searchParams.get("done") === "changed");
    await bobPage.goto("/app/calendars");
    await expect.poll(() => bobPage.getByRole("row", { name: /shared by Alice Example/ }).textContent()).toContain("Read only");
  });

  it("Alice removes Bob: his list and his home no longer have the calendar", async () => {
    const shared = await bobsHome();
    await alicePage.getByRole("button", { name: "Remove Bob Example" }).click();
    await alicePage.waitForURL((u) => u.searchParams.get("done") === "removed");
    await expect.poll(() => alicePage.locator("main").textContent()).toContain("Not shared with anyone yet");
    await bobPage.goto("/app/calendars");
    await expect.poll(() => bobPage.locator("main").textContent()).toContain("No one shares a calendar with you");
    expect(await bobsHome()).toHaveLength(shared.length - 1);
  });
});
