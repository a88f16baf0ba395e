// Advertised limits hold at their maximum (RFC 4791 §5.2.9
// max-attendees-per-instance = 1,000; RFC 6638 §3.2): a meeting with 1,000
// attendees, and a series whose master and four overrides list 999 each, are
// stored and scheduled (messages pass by reference, each distinct body once),
// and the documented cap on recipients per scheduling object is refused
// cleanly with a precondition. Messages kept for addresses outside the server
// cost their body once, and count toward the Organizer's quota (RFC 4331).
import { describe, expect, it, vi } from "vitest";
import { dav, errorConditions } from "../../helpers/dav-client.js";
import { D, homeSql, home, propfindOne, propText as davPropText } from "../../helpers/caldav.js";
import { cast, copyPath, eventually, getCopy, masterOf, newUid, overrideOf, partstatOf, ss, waitCopy, type Party } from "../../helpers/scheduling.js";
import { MAX_RECIPIENTS_PER_OBJECT } from "../../../src/core/schedule/limits.js";

vi.setConfig({ testTimeout: 120_000 });

const outsider = (i: number) => `mailto:guest-${i}@outside.example`;

function bigMeeting(o: { uid: string; organizer: Party; attendees: string[]; overrides?: number; start?: string }): string {
  const start = o.start ?? "20270405T090000Z";
  const people = (partstat: string) => [
    `ORGANIZER;CN=Org:${o.organizer.address}`,
    `ATTENDEE;CN=Org;PARTSTAT=ACCEPTED;ROLE=CHAIR:${o.organizer.address}`,
    ...o.attendees.map((a, i) => `ATTENDEE;CN=Guest ${i};PARTSTAT=${partstat};RSVP=TRUE:${a}`),
  ];
  const lines = [
    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//edge-caldav limits test//EN",
    "BEGIN:VEVENT", `UID:${o.uid}`, "DTSTAMP:20270101T000000Z", `DTSTART:${start}`, "DURATION:PT1H",
    ...(o.overrides ? ["RRULE:FREQ=WEEKLY;COUNT=10"] : []), "SUMMARY:All hands", ...people("NEEDS-ACTION"), "END:VEVENT",
  ];
  for (let k = 1; k <= (o.overrides ?? 0); k++) {
    const day = new Date(Date.UTC(2027, 3, 5 + 7 * k)).toISOString().slice(0, 10).replaceAll("-", "");
    lines.push("BEGIN:VEVENT", `UID:${o.uid}`, "DTSTAMP:20270101T000000Z", `RECURRENCE-ID:${day}T090000Z`,
      `DTSTART:${day}T100000Z`, "DURATION:PT1H", `SUMMARY:All hands, moved (${k})`, ...people("NEEDS-ACTION"), "END:VEVENT");
  }
  lines.push("END:VCALENDAR", "");
  return lines.join("\r\n");
}

const usedBytes = async (p: Party) => Number(davPropText(await propfindOne(p, home(p), ["D:quota-used-bytes"]), D("quota-used-bytes")));

describe("1,000 attendees per instance (RFC 4791 §5.2.9, RFC 6638 §3.2.1)", () => {
  it("a meeting with 1,000 attendees (the Organizer and 999 outside the server) is stored, scheduled and kept for e-mail once per body", async () => {
    const { alice } = await cast("alice");
    const uid = newUid("thousand");
    const path = `/calendars/${alice.user}/calendar/thousand.ics`;
    const body = bigMeeting({ uid, organizer: alice, attendees: Array.from({ length: 999 }, (_, i) => outsider(i)) });
    const r = await dav("PUT", path, { as: alice, body });
    expect(r.status, await r.clone().text()).toBe(201);
    const marked = (text: string) => masterOf(text)!.getAllProperties("attendee").filter((p) => p.getParameter("schedule-status") === "3.7").length;
    await eventually(() => getCopy(alice, path), (c) => c.status === 200 && marked(c.text) === 999, "every outside address marked 3.7", 90_000);

    // One kept message per address, their common body stored once.
    const kept = await eventually(() => homeSql<{ n: number; bytes: number }>(alice.user, "SELECT COUNT(*) AS n, SUM(LENGTH(payload)) AS bytes FROM email_outbox"),
      (rows) => rows[0]!.n === 999, "999 messages kept", 90_000);
    expect(kept[0]!.n).toBe(999);
    expect(kept[0]!.bytes, "kept rows hold a reference, not 999 copies of the body").toBeLessThan(999 * 2048);
    const bodies = await homeSql<{ n: number }>(alice.user, "SELECT COUNT(*) AS n FROM itip_bodies");
    expect(bodies[0]!.n).toBe(1);
    // quota-used-bytes covers the object, its scheduling state and what is kept for e-mail.
    expect(await usedBytes(alice)).toBeGreaterThan(body.length + kept[0]!.bytes);
  });

  it("a weekly series whose master and four overrides list 999 attendees each is scheduled to every one of them", async () => {
    const { alice, bob, carol } = await cast("alice", "bob", "carol");
    const uid = newUid("series999");
    const path = `/calendars/${alice.user}/calendar/series999.ics`;
    const attendees = [bob.address, carol.address, ...Array.from({ length: 996 }, (_, i) => outsider(i))];
    const body = bigMeeting({ uid, organizer: alice, attendees, overrides: 4 });
    expect(body.length).toBeLessThan(1_048_576);
    const r = await dav("PUT", path, { as: alice, body });
    expect(r.status, await r.clone().text()).toBe(201);
    for (const who of [bob, carol]) {
      const copy = await waitCopy(who, copyPath(who, uid), undefined, `${who.user}'s copy`, 60_000);
      expect(partstatOf(masterOf(copy.text), who)).toBe("NEEDS-ACTION");
      expect(overrideOf(copy.text, "20270412T090000Z")?.getAllProperties("attendee")).toHaveLength(999);
      expect(masterOf(copy.text)!.getAllProperties("attendee")).toHaveLength(999);
    }
    await eventually(() => getCopy(alice, path), (c) => ss(c.text, bob) === "1.2" && ss(c.text, outsider(995)) === "3.7", "statuses recorded", 90_000);
  });

  it(`more than ${MAX_RECIPIENTS_PER_OBJECT} recipients across all instances is refused with a precondition, and nothing is stored or sent`, async () => {
    const { alice } = await cast("alice");
    const uid = newUid("toomany");
    const path = `/calendars/${alice.user}/calendar/toomany.ics`;
    // Each instance has at most 1,000 attendees, but together they name more recipients than the cap.
    const per = 900;
    const groups = Math.ceil((MAX_RECIPIENTS_PER_OBJECT + 1) / per);
    const lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//EN"];
    for (let g = 0; g <= groups; g++) {
      const rid = g === 0 ? [] : [`RECURRENCE-ID:202705${String(g).padStart(2, "0")}T090000Z`];
      lines.push("BEGIN:VEVENT", `UID:${uid}`, "DTSTAMP:20270101T000000Z", ...rid, `DTSTART:202705${String(Math.max(g, 1)).padStart(2, "0")}T090000Z`, "DURATION:PT1H",
        ...(g === 0 ? ["RRULE:FREQ=DAILY;COUNT=20"] : []), `ORGANIZER:${alice.address}`,
        ...Array.from({ length: per }, (_, i) => `ATTENDEE;RSVP=TRUE:${outsider(g * per + i)}`), "END:VEVENT");
    }
    lines.push("END:VCALENDAR", "");
    const r = await dav("PUT", path, { as: alice, body: lines.join("\r\n") });
    expect(r.status).toBe(403);
    expect(await errorConditions(r)).toEqual(["{urn:ietf:params:xml:ns:caldav}max-attendees-per-instance"]);
    expect((await dav("GET", path, { as: alice })).status).toBe(404);
    expect((await homeSql<{ n: number }>(alice.user, "SELECT COUNT(*) AS n FROM outbox"))[0]!.n).toBe(0);
  });
});
