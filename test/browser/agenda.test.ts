// The Agenda section in real Chromium (issue 11 item 7): user B invites user
// A over DAV (a PUT with ORGANIZER and ATTENDEE, RFC 6638 §3.2.1), A signs
// in, finds the invitation, clicks Accept, and B's copy read over DAV shows
// A's PARTSTAT=ACCEPTED (the REPLY went through the scheduling path, §3.2.2);
// A sets a timezone and the agenda shows the meeting at its local time.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dav, expectAccessible, launchBrowser, newPage, newUser, screenshots, signIn } from "./harness.js";

/** "YYYYMMDD" `days` days from now (UTC). */
const dayFromNow = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10).replaceAll("-", "");

function invitation(uid: string, organizer: string, attendee: string, day: string): string {
  return [
    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//edge-caldav browser tests//EN", "BEGIN:VEVENT",
    `UID:${uid}`, "DTSTAMP:20261201T000000Z", "SEQUENCE:0", `DTSTART:${day}T130000Z`, `DTEND:${day}T140000Z`,
    "SUMMARY:Budget review", "LOCATION:Room 4",
    `ORGANIZER;CN=Bea:mailto:${organizer}`, `ATTENDEE;CN=Bea;PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:${organizer}`,
    `ATTENDEE;CN=Al;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:${attendee}`, "END:VEVENT", "END:VCALENDAR", "",
  ].join("\r\n");
}

/** PARTSTAT of `address` in a body (lines unfolded). */
function partstat(text: string, address: string): string | undefined {
  const line = text.replace(/\r?\n[ \t]/g, "").split(/\r?\n/).find((l) => l.startsWith("ATTENDEE") && l.toLowerCase().endsWith(`:mailto:${address.toLowerCase()}`));
  return line ? (/;PARTSTAT=([^;:]+)/i.exec(line)?.[1] ?? "NEEDS-ACTION").toUpperCase() : undefined;
}

describe("agenda and invitations", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("A accepts B's invitation on the page; B's copy shows ACCEPTED; the agenda shows it at A's local time", async () => {
    const [a, b] = await Promise.all([newUser("al", { name: "Al Attendee" }), newUser("bea", { name: "Bea Organizer" })]);
    const uid = `budget-${crypto.randomUUID()}@browser.test`;
    const day = dayFromNow(2);
    const path = `/calendars/${b.username}/calendar/budget.ics`;
    const put = await dav("PUT", path, b, invitation(uid, b.emails[0]!, a.emails[0]!, day), { "Content-Type": "text/calendar; charset=utf-8" });
    expect(put.status).toBe(201);

    const page = await newPage(browser);
    await signIn(page, a, "/app/agenda");
    expect(new URL(page.url()).pathname).toBe("/app/agenda");
    // Delivery runs over the queue: the invitation shows once A's copy is there.
    await expect.poll(async () => {
      await page.reload();
      return page.getByRole("heading", { name: "Budget review", level: 3 }).count();
    }, { timeout: 15_000 }).toBeGreaterThan(0);
    await screenshots(page, "agenda-invitation");
    await expectAccessible(page);

    const form = page.getByRole("form", { name: "Budget review" });
    await form.getByRole("button", { name: "Accept" }).click();
    await page.waitForURL((u) => u.searchParams.get("done") === "accept");
    await expect.poll(() => page.getByRole("status").textContent()).toContain("You accepted");
    expect(await page.getByRole("form", { name: "Budget review" }).count(), "answered: no longer waiting").toBe(0);

    // B's copy, over DAV: the REPLY reached the organizer.
    await expect.poll(async () => {
      const r = await dav("GET", path, b);
      return partstat(await r.text(), a.emails[0]!);
    }, { timeout: 15_000 }).toBe("ACCEPTED");

    // A's timezone: 13:00 UTC is 22:00 in Tokyo (no daylight saving there).
    await page.getByLabel("Your timezone").selectOption("Asia/Tokyo");
    await page.getByRole("button", { name: "Save timezone" }).click();
    await page.waitForURL((u) => u.searchParams.get("done") === "timezone");
    const item = page.locator("li.event", { hasText: "Budget review" });
    await expect.poll(() => item.locator(".when").textContent()).toBe("22:00–23:00");
    const heading = await page.locator("section.day", { has: item }).locator("h3").textContent();
    const d = new Date(Date.UTC(Number(day.slice(0, 4)), Number(day.slice(4, 6)) - 1, Number(day.slice(6, 8))));
    expect(heading).toContain(String(d.getUTCDate()));
    expect(await item.textContent()).toContain("Room 4");
    await screenshots(page, "agenda");
    await expectAccessible(page);
  });

  it("refuses an answer posted without the CSRF token", async () => {
    const a = await newUser("cy");
    const page = await newPage(browser, "phone");
    await signIn(page, a, "/app/agenda");
    const status = await page.evaluate(async () => {
      const r = await fetch("/app/agenda/answer", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "collection=calendar&name=x.ics&etag=x&answer=accept" });
      return r.status;
    });
    expect(status).toBe(403);
  });
});
