// CALDAV:time-range on components, RFC 4791 §9.9, end to end: every row of
// the VEVENT, VTODO and VJOURNAL tables with one stored object, queried
// with ranges on both sides of each boundary the row's condition names
// (inclusive and exclusive ends, open-ended ranges). Each row gets its own
// calendar so that the answer is exactly "this object" or nothing; the
// expected answers are the RFC's conditions worked out by hand.
import { describe, expect, it } from "vitest";
import todoStartDue from "../../fixtures/ics/rfc4791-b-todo-start-due.ics?raw";
import todoDue from "../../fixtures/ics/rfc4791-b-todo-due.ics?raw";
import todoDueCompleted from "../../fixtures/ics/rfc4791-b-todo-completed.ics?raw";
import todoNoDates from "../../fixtures/ics/rfc4791-b-todo-no-dates.ics?raw";
import journalDate from "../../fixtures/ics/rfc4791-b-journal.ics?raw";
import todoStartDuration from "../../fixtures/ics/time-range/todo-dtstart-duration.ics?raw";
import todoStartOnly from "../../fixtures/ics/time-range/todo-dtstart-only.ics?raw";
import todoCompletedCreated from "../../fixtures/ics/time-range/todo-completed-created.ics?raw";
import todoCompletedOnly from "../../fixtures/ics/time-range/todo-completed-only.ics?raw";
import todoCreatedOnly from "../../fixtures/ics/time-range/todo-created-only.ics?raw";
import { newUser } from "../../helpers/caldav.js";
import type { Creds } from "../../helpers/dav-client.js";
import { compFilter, mkcolCalendar, putAll, queryNames } from "../../helpers/reports.js";

/** [start, end, matches?]; undefined = attribute left out (open range). */
type Case = [string | undefined, string | undefined, boolean];

interface Row {
  row: string;
  object: string;
  cases: Case[];
}

function vevent(uid: string, lines: string[]): string {
  return ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//edge-caldav tests//EN", "BEGIN:VEVENT", `UID:${uid}`, "DTSTAMP:20060101T000000Z", ...lines, "SUMMARY:row", "END:VEVENT", "END:VCALENDAR", ""].join("\r\n");
}

function vjournal(uid: string, lines: string[]): string {
  return ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//edge-caldav tests//EN", "BEGIN:VJOURNAL", `UID:${uid}`, "DTSTAMP:20060101T000000Z", ...lines, "SUMMARY:row", "END:VJOURNAL", "END:VCALENDAR", ""].join("\r\n");
}

/** Runs every case of every row, each row in its own calendar; returns the mismatches (empty when all agree). */
async function runTable(u: Creds, component: string, rows: Row[]): Promise<string[]> {
  const wrong: string[] = [];
  for (const [i, r] of rows.entries()) {
    const path = await mkcolCalendar(u, `${component.toLowerCase()}-row-${i}`, { components: [component] });
    await putAll(u, path, { "x.ics": r.object });
    // Without a time-range the object is always there.
    const all = await queryNames(u, path, compFilter(component));
    if (all.join() !== "x.ics") wrong.push(`${r.row}: ${component} without time-range answered [${all.join(", ")}]`);
    for (const [start, end, want] of r.cases) {
      const got = (await queryNames(u, path, compFilter(component, start, end))).length === 1;
      if (got !== want) wrong.push(`${r.row}: [${start ?? "-inf"}, ${end ?? "+inf"}) should ${want ? "" : "not "}match`);
    }
  }
  return wrong;
}

describe("RFC 4791 §9.9 VEVENT table", () => {
  const rows: Row[] = [
    {
      row: "DTEND: start < DTEND AND end > DTSTART",
      object: vevent("ev-dtend", ["DTSTART:20060110T100000Z", "DTEND:20060110T110000Z"]),
      cases: [
        ["20060110T090000Z", "20060110T100000Z", false],
        ["20060110T090000Z", "20060110T100001Z", true],
        ["20060110T105959Z", "20060110T120000Z", true],
        ["20060110T110000Z", "20060110T120000Z", false],
        ["20060110T103000Z", "20060110T103100Z", true],
        [undefined, "20060110T100000Z", false],
        [undefined, "20060110T100001Z", true],
        ["20060110T110000Z", undefined, false],
        ["20060110T105959Z", undefined, true],
      ],
    },
    {
      row: "DURATION > 0: start < DTSTART+DURATION AND end > DTSTART",
      object: vevent("ev-duration", ["DTSTART:20060111T100000Z", "DURATION:PT1H"]),
      cases: [
        ["20060111T090000Z", "20060111T100000Z", false],
        ["20060111T090000Z", "20060111T100001Z", true],
        ["20060111T105959Z", "20060111T120000Z", true],
        ["20060111T110000Z", "20060111T120000Z", false],
      ],
    },
    {
      row: "DURATION = 0: start <= DTSTART AND end > DTSTART",
      object: vevent("ev-duration-zero", ["DTSTART:20060112T100000Z", "DURATION:PT0S"]),
      cases: [
        ["20060112T100000Z", "20060112T110000Z", true],
        ["20060112T090000Z", "20060112T100000Z", false],
        ["20060112T100001Z", "20060112T110000Z", false],
        ["20060112T090000Z", "20060112T100001Z", true],
      ],
    },
    {
      row: "DATE-TIME DTSTART, no DTEND or DURATION: start <= DTSTART AND end > DTSTART",
      object: vevent("ev-instant", ["DTSTART:20060113T100000Z"]),
      cases: [
        ["20060113T100000Z", "20060113T110000Z", true],
        ["20060113T090000Z", "20060113T100000Z", false],
        ["20060113T100001Z", "20060113T110000Z", false],
      ],
    },
    {
      row: "DATE DTSTART, no DTEND or DURATION: start < DTSTART+P1D AND end > DTSTART",
      object: vevent("ev-day", ["DTSTART;VALUE=DATE:20060114"]),
      cases: [
        ["20060113T000000Z", "20060114T000000Z", false],
        ["20060113T000000Z", "20060114T000001Z", true],
        ["20060114T235959Z", "20060115T010000Z", true],
        ["20060115T000000Z", "20060116T000000Z", false],
      ],
    },
  ];

  it("matches each VEVENT row exactly at its boundaries", async () => {
    const u = await newUser("tr-vevent");
    expect(await runTable(u, "VEVENT", rows)).toEqual([]);
  });
});

describe("RFC 4791 §9.9 VTODO table", () => {
  const rows: Row[] = [
    {
      row: "DTSTART + DURATION: start <= DTSTART+DURATION AND (end > DTSTART OR end >= DTSTART+DURATION)",
      object: todoStartDuration, // 2006-01-10 10:00Z, PT2H
      cases: [
        ["20060110T090000Z", "20060110T100000Z", false],
        ["20060110T090000Z", "20060110T100001Z", true],
        ["20060110T103000Z", "20060110T110000Z", true],
        ["20060110T120000Z", "20060110T130000Z", true], // start <= DTSTART+DURATION is inclusive
        ["20060110T120001Z", "20060110T130000Z", false],
      ],
    },
    {
      row: "DTSTART + DUE: (start < DUE OR start <= DTSTART) AND (end > DTSTART OR end >= DUE)",
      object: todoStartDue, // DTSTART 2006-01-02, DUE 2006-01-07 (DATE, read in UTC)
      cases: [
        ["20060101T000000Z", "20060102T000000Z", false],
        ["20060101T000000Z", "20060102T000001Z", true],
        ["20060104T000000Z", "20060105T000000Z", true],
        ["20060106T235959Z", "20060108T000000Z", true],
        ["20060107T000000Z", "20060108T000000Z", false],
      ],
    },
    {
      row: "DTSTART only: start <= DTSTART AND end > DTSTART",
      object: todoStartOnly, // 2006-01-12 10:00Z
      cases: [
        ["20060112T100000Z", "20060112T110000Z", true],
        ["20060112T090000Z", "20060112T100000Z", false],
        ["20060112T100001Z", "20060112T110000Z", false],
        [undefined, "20060112T100001Z", true],
        ["20060112T100000Z", undefined, true],
      ],
    },
    {
      row: "DUE only: start < DUE AND end >= DUE",
      object: todoDue, // DUE 2006-01-04 (DATE, read in UTC)
      cases: [
        ["20060103T000000Z", "20060104T000000Z", true], // end >= DUE is inclusive
        ["20060103T000000Z", "20060103T235959Z", false],
        ["20060103T235959Z", "20060105T000000Z", true],
        ["20060104T000000Z", "20060105T000000Z", false],
        [undefined, "20060104T000000Z", true],
        ["20060104T000000Z", undefined, false],
      ],
    },
    {
      row: "DUE and COMPLETED: the DUE row applies, COMPLETED is not looked at",
      object: todoDueCompleted, // DUE 2006-01-06, COMPLETED 2005-12-23 12:23:22Z
      cases: [
        ["20051223T000000Z", "20051224T000000Z", false],
        ["20060105T000000Z", "20060106T000000Z", true],
      ],
    },
    {
      row: "COMPLETED + CREATED: (start <= CREATED OR start <= COMPLETED) AND (end >= CREATED OR end >= COMPLETED)",
      object: todoCompletedCreated, // CREATED 2006-01-14 10:00Z, COMPLETED 12:00Z
      cases: [
        ["20060114T120000Z", "20060114T130000Z", true],
        ["20060114T120001Z", "20060114T130000Z", false],
        ["20060114T090000Z", "20060114T100000Z", true],
        ["20060114T090000Z", "20060114T095959Z", false],
        ["20060114T103000Z", "20060114T110000Z", true],
      ],
    },
    {
      row: "COMPLETED only: start <= COMPLETED AND end >= COMPLETED",
      object: todoCompletedOnly, // 2006-01-15 12:00Z
      cases: [
        ["20060115T110000Z", "20060115T120000Z", true],
        ["20060115T120000Z", "20060115T130000Z", true],
        ["20060115T120001Z", "20060115T130000Z", false],
        ["20060115T110000Z", "20060115T115959Z", false],
      ],
    },
    {
      row: "CREATED only: end > CREATED",
      object: todoCreatedOnly, // 2006-01-16 10:00Z
      cases: [
        ["20060116T090000Z", "20060116T100000Z", false],
        ["20060116T090000Z", "20060116T100001Z", true],
        ["20300101T000000Z", "20300102T000000Z", true],
        [undefined, "20060116T100000Z", false],
        ["20060117T000000Z", undefined, true],
      ],
    },
    {
      row: "no DTSTART, DURATION, DUE, COMPLETED, CREATED: TRUE",
      object: todoNoDates,
      cases: [
        ["19900101T000000Z", "19900102T000000Z", true],
        ["20300101T000000Z", "20300102T000000Z", true],
        [undefined, "20000101T000000Z", true],
      ],
    },
  ];

  it("matches each VTODO row exactly at its boundaries", async () => {
    const u = await newUser("tr-vtodo");
    expect(await runTable(u, "VTODO", rows)).toEqual([]);
  });
});

describe("RFC 4791 §9.9 VJOURNAL table", () => {
  const rows: Row[] = [
    {
      row: "DATE-TIME DTSTART: start <= DTSTART AND end > DTSTART",
      object: vjournal("journal-datetime", ["DTSTART:20060110T100000Z"]),
      cases: [
        ["20060110T100000Z", "20060110T100001Z", true],
        ["20060110T090000Z", "20060110T100000Z", false],
        ["20060110T100001Z", "20060110T110000Z", false],
      ],
    },
    {
      row: "DATE DTSTART: start < DTSTART+P1D AND end > DTSTART",
      object: journalDate, // DTSTART;VALUE=DATE:20060104
      cases: [
        ["20060103T000000Z", "20060104T000000Z", false],
        ["20060103T000000Z", "20060104T000001Z", true],
        ["20060104T235959Z", "20060105T000000Z", true],
        ["20060105T000000Z", "20060106T000000Z", false],
      ],
    },
    {
      row: "no DTSTART: FALSE",
      object: vjournal("journal-undated", []),
      cases: [
        ["19900101T000000Z", "20300101T000000Z", false],
        [undefined, "20300101T000000Z", false],
      ],
    },
  ];

  it("matches each VJOURNAL row exactly at its boundaries", async () => {
    const u = await newUser("tr-vjournal");
    expect(await runTable(u, "VJOURNAL", rows)).toEqual([]);
  });
});
