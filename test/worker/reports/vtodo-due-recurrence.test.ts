// A recurring VTODO with DUE and no DTSTART (RFC 2445 task data: Lightning's
// weekly task, an old iCal export's monthly one), end to end: PUT accepts it
// (RFC 4791 §5.3.2.1), calendar-query time-range matches each instance by
// the RFC 4791 §9.9 VTODO row "(start < DUE) AND (end >= DUE)", expand
// (§9.6.5) writes every instance with its DUE and RECURRENCE-ID, the home
// indexes each instance at its DUE, and free-busy-query (§7.10) finds no
// busy time in to-dos.
import { describe, expect, it } from "vitest";
import lightning from "../../fixtures/ics/lightning-task-recurring-due.ics?raw";
import ical3 from "../../fixtures/ics/ical3-task-monthly-due-date.ics?raw";
import { cal, homeSql, newUser, put } from "../../helpers/caldav.js";
import type { Creds } from "../../helpers/dav-client.js";
import {
  calendarDataOf, calendarQueryBody, compFilter, components, crlfText, freeBusyBody, lines, multistatusOf, propValue, queryNames, report, utcMs,
} from "../../helpers/reports.js";

async function tasksWith(objects: Record<string, string>): Promise<{ u: Creds; path: string }> {
  const u = await newUser("duetask");
  const path = cal(u, "tasks");
  for (const [name, body] of Object.entries(objects)) {
    const res = await put(u, `${path}${name}`, crlfText(body));
    expect(res.status, `PUT ${name}: ${await res.text()}`).toBe(201);
  }
  return { u, path };
}

describe("a VTODO that recurs from its DUE (RFC 2445 data, read as Apple's server and Cyrus do)", () => {
  it("is accepted on PUT with 201 (RFC 4791 §5.3.2.1)", async () => {
    await tasksWith({ "plants.ics": lightning, "rent.ics": ical3 });
  });

  it("calendar-query time-range hits each instance by (start < DUE) AND (end >= DUE) and misses excluded, moved and later ones (RFC 4791 §9.9)", async () => {
    const { u, path } = await tasksWith({ "plants.ics": lightning });
    const q = (s: string, e: string) => queryNames(u, path, compFilter("VTODO", s, e));
    // DUE Fridays 18:00 Europe/Berlin: 17:00Z in March, 16:00Z after the change to summer time.
    for (const due of ["20250307T170000Z", "20250314T170000Z", "20250404T160000Z", "20250411T160000Z"]) {
      const h = Number(due.slice(9, 11));
      const day = due.slice(0, 8);
      expect(await q(`${day}T${String(h - 1).padStart(2, "0")}0000Z`, due), `range ending at ${due}`).toEqual(["plants.ics"]);
      expect(await q(due, `${day}T${String(h + 1).padStart(2, "0")}0000Z`), `range starting at ${due}`).toEqual([]);
    }
    expect(await q("20250321T000000Z", "20250322T000000Z")).toEqual([]); // EXDATE
    expect(await q("20250328T120000Z", "20250328T235959Z")).toEqual([]); // moved away by its override
    expect(await q("20250329T080000Z", "20250329T090000Z")).toEqual(["plants.ics"]); // the override's own DUE
    expect(await q("20250418T000000Z", "20250419T000000Z")).toEqual([]); // past COUNT
  });

  it("matches the monthly all-day task on the first of each month, years after its first DUE", async () => {
    const { u, path } = await tasksWith({ "rent.ics": ical3 });
    const q = (s: string, e: string) => queryNames(u, path, compFilter("VTODO", s, e));
    expect(await q("20250531T230000Z", "20250601T000000Z")).toEqual(["rent.ics"]);
    expect(await q("20250601T000000Z", "20250602T000000Z")).toEqual([]);
    expect(await q("20250610T000000Z", "20250630T000000Z")).toEqual([]);
  });

  it("expand writes each instance with its DUE and RECURRENCE-ID in UTC, no DTSTART, RRULE or EXDATE (RFC 4791 §9.6.5)", async () => {
    const { u, path } = await tasksWith({ "plants.ics": lightning });
    const [s, e] = ["20250301T000000Z", "20250501T000000Z"];
    const body = calendarQueryBody(compFilter("VTODO", s, e), { prop: `<C:calendar-data><C:expand start="${s}" end="${e}"/></C:calendar-data>` });
    const { responses } = await multistatusOf(await report(u, path, body));
    const data = calendarDataOf(responses.get(`${path}plants.ics`));
    expect(lines(data).filter((l) => /^(DTSTART|RRULE|EXDATE|BEGIN:VTIMEZONE)/.test(l))).toEqual([]);
    expect(components(data, "VTODO").map((t) => [propValue(t, "DUE"), propValue(t, "RECURRENCE-ID")])).toEqual([
      ["20250307T170000Z", "20250307T170000Z"],
      ["20250314T170000Z", "20250314T170000Z"],
      ["20250329T090000Z", "20250328T170000Z"],
      ["20250404T160000Z", "20250404T160000Z"],
      ["20250411T160000Z", "20250411T160000Z"],
    ]);
  });

  it("is indexed per instance at its DUE in the home, so queries skip it between instances", async () => {
    const { u } = await tasksWith({ "plants.ics": lightning });
    const spans = await homeSql<{ start_ms: number; end_ms: number }>(u.user, "SELECT start_ms, end_ms FROM instances WHERE name = ? ORDER BY start_ms", "plants.ics");
    const dues = ["20250307T170000Z", "20250314T170000Z", "20250329T090000Z", "20250404T160000Z", "20250411T160000Z"].map(utcMs);
    expect(spans).toEqual(dues.map((d) => ({ start_ms: d, end_ms: d })));
  });

  it("free-busy-query answers 200 with no busy time for to-dos (RFC 4791 §7.10)", async () => {
    const { u, path } = await tasksWith({ "plants.ics": lightning, "rent.ics": ical3 });
    const res = await report(u, path, freeBusyBody("20250301T000000Z", "20250501T000000Z"));
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(components(text, "VFREEBUSY")[0]!.filter((l) => l.startsWith("FREEBUSY"))).toEqual([]);
  });
});
