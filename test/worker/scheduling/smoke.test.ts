import { describe, expect, it, vi } from "vitest";
import { createUser, dav } from "../../helpers/dav-client.js";

const invite = (uid: string) =>
  [
    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", "BEGIN:VEVENT", `UID:${uid}`, "DTSTAMP:20261101T000000Z",
    "DTSTART:20261210T100000Z", "DTEND:20261210T110000Z", "SUMMARY:Planning", "ORGANIZER;CN=Alice:mailto:alice1@example.com",
    "ATTENDEE;CN=Alice;PARTSTAT=ACCEPTED:mailto:alice1@example.com", "ATTENDEE;CN=Bob;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob1@example.com",
    "END:VEVENT", "END:VCALENDAR", "",
  ].join("\r\n");

describe("scheduling smoke", () => {
  it("delivers an invitation and merges the reply (RFC 6638 §3.2, §4)", async () => {
    const alice = await createUser("alice1");
    const bob = await createUser("bob1");
    const put = await dav("PUT", "/calendars/alice1/calendar/e1.ics", { as: alice, body: invite("sched-1") });
    expect(put.status, await put.clone().text()).toBe(201);
    expect(put.headers.get("schedule-tag")).toBeTruthy();
    let bobCopy = "";
    await vi.waitUntil(async () => {
      const r = await dav("GET", "/calendars/bob1/calendar/sched-1.ics", { as: bob });
      if (r.status !== 200) return false;
      bobCopy = await r.text();
      return true;
    }, { timeout: 10_000, interval: 100 });
    expect(bobCopy).toContain("Planning");
    const accepted = bobCopy.replace(/PARTSTAT=NEEDS-ACTION/, "PARTSTAT=ACCEPTED");
    const r2 = await dav("PUT", "/calendars/bob1/calendar/sched-1.ics", { as: bob, body: accepted });
    expect(r2.status, await r2.clone().text()).toBe(204);
    await vi.waitUntil(async () => {
      const r = await dav("GET", "/calendars/alice1/calendar/e1.ics", { as: alice });
      const t = (await r.text()).replace(/\r\n /g, "");
      return /ATTENDEE[^\n]*PARTSTAT=ACCEPTED[^\n]*bob1@example.com/i.test(t);
    }, { timeout: 10_000, interval: 100 });
  });
});

describe("a plain PUT over a scheduling object", () => {
  it("is planned like any organizer change: removing ORGANIZER and ATTENDEEs cancels the attendees' copies (RFC 6638 §3.2.1.2)", async () => {
    const alice = await createUser("alice2", { emails: ["alice1@example.com".replace("1", "2")] });
    const bob = await createUser("bob2", { emails: ["bob2@example.com"] });
    const body = invite("sched-plain").replaceAll("alice1@", "alice2@").replaceAll("bob1@", "bob2@");
    expect((await dav("PUT", "/calendars/alice2/calendar/p.ics", { as: alice, body })).status).toBe(201);
    await vi.waitUntil(async () => (await dav("GET", "/calendars/bob2/calendar/sched-plain.ics", { as: bob })).status === 200, { timeout: 10_000, interval: 100 });
    const plain = body.split("\r\n").filter((l) => !/^(ORGANIZER|ATTENDEE)/.test(l)).join("\r\n");
    const r = await dav("PUT", "/calendars/alice2/calendar/p.ics", { as: alice, body: plain });
    expect(r.status, await r.clone().text()).toBe(204);
    await vi.waitUntil(async () => /STATUS:CANCELLED/.test(await (await dav("GET", "/calendars/bob2/calendar/sched-plain.ics", { as: bob })).text()), { timeout: 10_000, interval: 100 });
  });
});
