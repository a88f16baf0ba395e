// Hostile input never gets a 5xx and never loses data: mutated real calendar
// data on PUT, mutated XML on PROPFIND, PROPPATCH, REPORT and MKCOL, odd
// paths and headers. Whatever the server accepts, it serves back unchanged.
// No mutated request spends more recurrence steps than a request's budget
// (src/core/ical/limits.ts; the Worker runs in this isolate, so its step
// counter is read directly).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LIMITS } from "../../../src/core/ical/limits.js";
import { stepCount } from "../../../src/core/ical/recur-guard.js";
import { createUser, dav, propfindBody, type Creds } from "../../helpers/dav-client.js";
import apple from "../../fixtures/ics/client-apple-event.ics?raw";
import thunderbird from "../../fixtures/ics/client-thunderbird-event.ics?raw";
import outlook from "../../fixtures/ics/client-outlook-event.ics?raw";
import davx5 from "../../fixtures/ics/client-davx5-todo.ics?raw";
import recurring from "../../fixtures/ics/rfc4791-b-event2-recurring.ics?raw";
import meeting from "../../fixtures/ics/rfc4791-b-event3-attendees.ics?raw";

const SEEDS = [apple, thunderbird, outlook, davx5, recurring, meeting];
let n = 0;
const fresh = async (): Promise<Creds> => createUser(`fuzz${Date.now().toString(36)}${n++}`);

/** One random edit of a text: drop, repeat or swap lines, cut it short, or splice in hostile fragments. */
const HOSTILE = [
  "DTSTART:2026XX01T000000Z", "DTSTART;TZID=Nowhere/Land:20260101T100000", "RRULE:FREQ=SECONDLY;COUNT=999999999", "RRULE:FREQ=DAILY;BYDAY=XX",
  "END:VCALENDAR", "BEGIN:VEVENT", "BEGIN:VALARM", "UID:", "DURATION:P-1D", "EXDATE:garbage", "RECURRENCE-ID;RANGE=THISANDPRIOR:20260101T000000Z",
  "METHOD:REQUEST", "ATTENDEE;PARTSTAT=ACCEPTED:not-a-uri", "ORGANIZER:mailto:", "X-\u0000:\u0000", "\uFFFF", " folded-continuation",
  "DTEND:19000101T000000Z", "DUE;VALUE=DATE:99991231", "GEO:abc;def", "VERSION:3.0", "BEGIN:VTIMEZONE", "TZOFFSETFROM:+9999",
  "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "RRULE:FREQ=SECONDLY", "RRULE:FREQ=WEEKLY;BYWEEKNO=20;BYMONTH=2", "RRULE:FREQ=DAILY;INTERVAL=1000000",
];

/** The recurrence steps the isolate took while `fn` ran: at most one request's budget (plus the step that ran it out). */
async function withinBudget<T>(what: () => string, fn: () => Promise<T>): Promise<T> {
  const before = stepCount();
  const out = await fn();
  expect(stepCount() - before, what()).toBeLessThanOrEqual(LIMITS.stepsPerRequest + 1);
  return out;
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant("drop"), at: fc.nat() }),
  fc.record({ kind: fc.constant("dup"), at: fc.nat() }),
  fc.record({ kind: fc.constant("swap"), at: fc.nat(), to: fc.nat() }),
  fc.record({ kind: fc.constant("cut"), at: fc.nat() }),
  fc.record({ kind: fc.constant("insert"), at: fc.nat(), text: fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 40 })) }),
  fc.record({ kind: fc.constant("byte"), at: fc.nat(), text: fc.string({ minLength: 1, maxLength: 3 }) }),
);

function mutate(text: string, edits: Array<{ kind: string; at: number; to?: number; text?: string }>): string {
  let lines = text.split(/\r?\n/);
  for (const e of edits) {
    const i = e.at % Math.max(1, lines.length);
    if (e.kind === "drop") lines.splice(i, 1);
    else if (e.kind === "dup") lines.splice(i, 0, lines[i] ?? "");
    else if (e.kind === "swap") [lines[i], lines[(e.to ?? 0) % lines.length]] = [lines[(e.to ?? 0) % lines.length] ?? "", lines[i] ?? ""];
    else if (e.kind === "cut") lines = lines.slice(0, i);
    else if (e.kind === "insert") lines.splice(i, 0, e.text ?? "");
    else if (e.kind === "byte") {
      const line = lines[i] ?? "";
      const j = e.at % (line.length + 1);
      lines[i] = line.slice(0, j) + (e.text ?? "") + line.slice(j + 1);
    }
  }
  return lines.join("\r\n");
}

describe("hostile calendar data (RFC 4791 §5.3.2.1: bad data is a 4xx with a precondition, never a 5xx)", () => {
  it("answers mutated real client data with 2xx or 4xx, and serves what it accepted byte for byte", async () => {
    const user = await fresh();
    let i = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SEEDS), fc.array(mutation, { minLength: 1, maxLength: 4 }), async (seed, edits) => {
        const body = mutate(seed, edits);
        const cal = seed.includes("BEGIN:VTODO") ? "tasks" : "calendar";
        const path = `/calendars/${user.user}/${cal}/f${i++}.ics`;
        const r = await withinBudget(() => `PUT:\n${body}`, () => dav("PUT", path, { as: user, body }));
        const text = await r.text();
        expect(r.status, `${r.status} for:\n${body}\n---\n${text}`).toBeLessThan(500);
        if (r.status === 201 || r.status === 204) {
          const g = await dav("GET", path, { as: user });
          expect(g.status).toBe(200);
          // Scheduling may add SCHEDULE-STATUS to an organizer's copy; anything else comes back as sent.
          if (!/ORGANIZER/i.test(body)) expect(await g.text()).toBe(body);
        } else {
          expect([400, 403, 409, 412, 413, 415]).toContain(r.status);
        }
      }),
      { numRuns: 120, seed: 20261126 },
    );
  }, 120_000);
});

describe("values ical.js cannot read", () => {
  it("answers a VTIMEZONE rule with a broken DTSTART with 403 CALDAV:valid-calendar-data (found by fuzzing)", async () => {
    const user = await fresh();
    const body = outlook.replace(/DTSTART:16010311T020000/, "DTSTART:160103:1T020000");
    expect(body).not.toBe(outlook);
    const r = await dav("PUT", `/calendars/${user.user}/calendar/broken-tz.ics`, { as: user, body });
    expect(r.status).toBe(403);
    expect(await r.text()).toContain("valid-calendar-data");
  });
});

describe("hostile XML (RFC 4918 §8.2: malformed requests get 400, never a 5xx)", () => {
  const bodies = [
    propfindBody(["D:displayname", "D:getetag", "C:calendar-data", "CS:getctag"]),
    `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:X="urn:x"><D:set><D:prop><D:displayname>x</D:displayname><X:a b="c"><X:b/></X:a></D:prop></D:set><D:remove><D:prop><X:z/></D:prop></D:remove></D:propertyupdate>`,
    `<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data><C:expand start="20260101T000000Z" end="20260201T000000Z"/></C:calendar-data></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="20260101T000000Z" end="20260201T000000Z"/><C:prop-filter name="SUMMARY"><C:text-match collation="i;octet" negate-condition="yes">x</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`,
    `<?xml version="1.0"?><D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:sync-level>1</D:sync-level><D:limit><D:nresults>5</D:nresults></D:limit><D:prop><D:getetag/></D:prop></D:sync-collection>`,
    `<?xml version="1.0"?><D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:resourcetype><D:collection/><C:calendar/></D:resourcetype><D:displayname>z</D:displayname></D:prop></D:set></D:mkcol>`,
  ];
  const methods = ["PROPFIND", "PROPPATCH", "REPORT", "REPORT", "MKCOL"];

  it("answers mutated bodies on every XML method with a 2xx, 207 or 4xx", async () => {
    const user = await fresh();
    let i = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: bodies.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), async (k, edits) => {
        // Mutate the XML at character level by treating tags as lines.
        const body = mutate(bodies[k]!.replace(/></g, ">\n<"), edits).replace(/\r\n/g, "");
        const method = methods[k]!;
        const path = method === "MKCOL" ? `/calendars/${user.user}/c${i++}/` : `/calendars/${user.user}/calendar/`;
        const r = await withinBudget(() => `${method}:\n${body}`, () => dav(method, path, { as: user, body, headers: { Depth: method === "REPORT" && k === 3 ? "0" : "1" } }));
        expect(r.status, `${method} ${r.status} for:\n${body}\n---\n${await r.text()}`).toBeLessThan(500);
      }),
      { numRuns: 150, seed: 20261126 },
    );
  }, 120_000);

  it("answers odd paths and headers with 4xx, never a 5xx", async () => {
    const user = await fresh();
    const paths = ["/calendars/%ZZ/", "/calendars/../etc/passwd", "/principals/%00/", "/calendars/" + "a".repeat(300) + "/", "//calendars//x//",
      `/calendars/${user.user}/calendar/%2F..%2F.ics`, `/calendars/${user.user}/inbox/x.ics`, "/admin/api/users", "/.well-known/carddav"];
    const headers: Array<Record<string, string>> = [{ Depth: "2" }, { Depth: "infinity" }, { "If-Match": "garbage" }, { "If-None-Match": "W/\"x\"" }, { Destination: "::::" }, { Overwrite: "maybe" }, { "Content-Type": "text/calendar; charset=latin1" }];
    for (const path of paths)
      for (const method of ["GET", "PROPFIND", "PUT", "DELETE", "MOVE", "COPY", "REPORT", "MKCOL", "PROPPATCH", "POST", "OPTIONS"])
        for (const h of headers) {
          const r = await dav(method, path, { as: user, headers: h, body: method === "GET" || method === "DELETE" || method === "OPTIONS" ? undefined : "junk" });
          expect(r.status, `${method} ${path} ${JSON.stringify(h)}: ${await r.text()}`).toBeLessThan(500);
        }
  }, 120_000);
});
