// CALDAV:calendar-query filters other than time ranges, end to end (RFC 4791
// §9.7.1-§9.7.5, §7.5 collations): text-match on properties and
// parameters with i;ascii-casemap (the default), i;octet and
// i;unicode-casemap, negate-condition, is-not-defined on components,
// properties and parameters, prop-filter time-range, VALARM time-range on
// events, combinations with a comp-filter time-range, and the
// CALDAV:supported-collation precondition.
import { beforeAll, describe, expect, it } from "vitest";
import thunderbirdNewYork from "../../fixtures/ics/thunderbird-event-newyork.ics?raw";
import appleBerlin from "../../fixtures/ics/apple-recurring-berlin.ics?raw";
import { appendixB } from "../../helpers/appendix-b.js";
import { CAL, cal, newUser } from "../../helpers/caldav.js";
import { errorConditions, type Creds } from "../../helpers/dav-client.js";
import { calendarQueryBody, compFilter, putAll, queryNames, report } from "../../helpers/reports.js";

function event(uid: string, extra: string[], opts: { start?: string; end?: string; alarm?: boolean } = {}): string {
  return [
    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//edge-caldav tests//EN", "BEGIN:VEVENT", `UID:${uid}`, "DTSTAMP:20250101T000000Z",
    `DTSTART:${opts.start ?? "20250610T090000Z"}`, `DTEND:${opts.end ?? "20250610T100000Z"}`, ...extra,
    ...(opts.alarm ? ["BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:Reminder", "TRIGGER:-PT15M", "END:VALARM"] : []),
    "END:VEVENT", "END:VCALENDAR", "",
  ].join("\r\n");
}

/** SUMMARY text-match on the default calendar. */
const summary = (text: string, attrs = "") =>
  `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"><C:text-match${attrs}>${text}</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter>`;

describe("text-match, is-not-defined and negate-condition (RFC 4791 §9.7.2-§9.7.5)", () => {
  let u: Creds;
  let path: string;

  beforeAll(async () => {
    u = await newUser("filters");
    path = cal(u);
    await putAll(u, path, {
      "a.ics": event("a", ["SUMMARY:Team Meeting", "CATEGORIES:WORK,Project X"], { alarm: true }),
      "b.ics": event("b", ["SUMMARY:team lunch", "ATTENDEE;ROLE=CHAIR;PARTSTAT=ACCEPTED:mailto:x@example.com"]),
      "c.ics": event("c", ["SUMMARY:Ärger im Büro", "ATTENDEE;ROLE=CHAIR:mailto:x@example.com", "ATTENDEE;PARTSTAT=TENTATIVE:mailto:y@example.com"]),
      "d.ics": event("d", ["SUMMARY:ärger", "DESCRIPTION:R&D sync"]),
      "e.ics": event("e", ["DESCRIPTION:no summary at all"]),
    });
  });

  it("folds ASCII letters only under the default collation i;ascii-casemap (§9.7.5, RFC 4790 §9.2)", async () => {
    expect(await queryNames(u, path, summary("TEAM"))).toEqual(["a.ics", "b.ics"]);
    expect(await queryNames(u, path, summary("TEAM", ' collation="i;ascii-casemap"'))).toEqual(["a.ics", "b.ics"]);
    // "Ä" and "ä" are not ASCII: only the exact "Ärger" matches "ÄRGER".
    expect(await queryNames(u, path, summary("ÄRGER"))).toEqual(["c.ics"]);
  });

  it("compares octets exactly under i;octet (RFC 4790 §9.3)", async () => {
    expect(await queryNames(u, path, summary("Team", ' collation="i;octet"'))).toEqual(["a.ics"]);
    expect(await queryNames(u, path, summary("team", ' collation="i;octet"'))).toEqual(["b.ics"]);
    expect(await queryNames(u, path, summary("ärger", ' collation="i;octet"'))).toEqual(["d.ics"]);
  });

  it("folds non-ASCII letters under i;unicode-casemap (RFC 5051), which the server offers as well", async () => {
    expect(await queryNames(u, path, summary("ÄRGER", ' collation="i;unicode-casemap"'))).toEqual(["c.ics", "d.ics"]);
  });

  it("matches substrings, not whole values, and unescapes the XML text (&amp;)", async () => {
    expect(await queryNames(u, path, summary("eam"))).toEqual(["a.ics", "b.ics"]);
    const filter = `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="DESCRIPTION"><C:text-match>r&amp;d</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter>`;
    expect(await queryNames(u, path, filter)).toEqual(["d.ics"]);
  });

  it("matches any one value of a multi-valued property (CATEGORIES)", async () => {
    const filter = `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="CATEGORIES"><C:text-match>project x</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter>`;
    expect(await queryNames(u, path, filter)).toEqual(["a.ics"]);
  });

  it("negate-condition='yes' matches properties whose value does not match, and never a missing property (§9.7.2, §9.7.5)", async () => {
    expect(await queryNames(u, path, summary("team", ' negate-condition="yes"'))).toEqual(["c.ics", "d.ics"]);
    expect(await queryNames(u, path, summary("team", ' negate-condition="no"'))).toEqual(["a.ics", "b.ics"]);
  });

  it("matches a property that exists with an empty prop-filter, and one that does not with is-not-defined (§9.7.2, §9.7.4)", async () => {
    const exists = `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"/></C:comp-filter></C:comp-filter>`;
    expect(await queryNames(u, path, exists)).toEqual(["a.ics", "b.ics", "c.ics", "d.ics"]);
    const missing = `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"><C:is-not-defined/></C:prop-filter></C:comp-filter></C:comp-filter>`;
    expect(await queryNames(u, path, missing)).toEqual(["e.ics"]);
  });

  it("matches parameters: an empty param-filter, is-not-defined (some ATTENDEE lacks ROLE), and text-match on the value (§9.7.3)", async () => {
    const param = (inner: string) =>
      `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="ATTENDEE">${inner}</C:prop-filter></C:comp-filter></C:comp-filter>`;
    expect(await queryNames(u, path, param(`<C:param-filter name="ROLE"/>`))).toEqual(["b.ics", "c.ics"]);
    expect(await queryNames(u, path, param(`<C:param-filter name="ROLE"><C:is-not-defined/></C:param-filter>`))).toEqual(["c.ics"]);
    expect(await queryNames(u, path, param(`<C:param-filter name="PARTSTAT"><C:text-match>tentative</C:text-match></C:param-filter>`))).toEqual(["c.ics"]);
    expect(await queryNames(u, path, param(`<C:param-filter name="PARTSTAT"><C:text-match negate-condition="yes">tentative</C:text-match></C:param-filter>`))).toEqual(["b.ics"]);
  });

  it("matches a calendar object without a component with comp-filter is-not-defined (§9.7.1, §9.7.4)", async () => {
    const noAlarm = `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:comp-filter name="VALARM"><C:is-not-defined/></C:comp-filter></C:comp-filter></C:comp-filter>`;
    expect(await queryNames(u, path, noAlarm)).toEqual(["b.ics", "c.ics", "d.ics", "e.ics"]);
    const noTodo = `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VTODO"><C:is-not-defined/></C:comp-filter></C:comp-filter>`;
    expect(await queryNames(u, path, noTodo)).toEqual(["a.ics", "b.ics", "c.ics", "d.ics", "e.ics"]);
  });

  it("requires every prop-filter of a comp-filter to match (allof, §9.7.1)", async () => {
    const both = `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
      <C:prop-filter name="SUMMARY"><C:text-match>team</C:text-match></C:prop-filter>
      <C:prop-filter name="ATTENDEE"/></C:comp-filter></C:comp-filter>`;
    expect(await queryNames(u, path, both)).toEqual(["b.ics"]);
  });

  it("refuses an unsupported collation with 403 CALDAV:supported-collation (§7.5, §7.8 preconditions)", async () => {
    for (const collation of ["i;nonsense", "x-unknown", ""]) {
      const res = await report(u, path, calendarQueryBody(summary("team", ` collation="${collation}"`)));
      expect(res.status, collation).toBe(403);
      expect(await errorConditions(res), collation).toEqual([CAL("supported-collation")]);
    }
  });
});

describe("time-range inside filters (RFC 4791 §9.7.1, §9.7.2, §9.9)", () => {
  it("applies a prop-filter time-range to a DATE-TIME property value: COMPLETED of abcd6.ics", async () => {
    const { u, path } = await appendixB("filters-b");
    const completed = (start: string, end: string) =>
      `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VTODO"><C:prop-filter name="COMPLETED"><C:time-range start="${start}" end="${end}"/></C:prop-filter></C:comp-filter></C:comp-filter>`;
    expect(await queryNames(u, path, completed("20051223T000000Z", "20051224T000000Z"))).toEqual(["abcd6.ics"]);
    expect(await queryNames(u, path, completed("20051223T122322Z", "20051223T122323Z"))).toEqual(["abcd6.ics"]);
    expect(await queryNames(u, path, completed("20051223T122323Z", "20051224T000000Z"))).toEqual([]);
  });

  it("combines a comp-filter time-range with a prop-filter: both must hold (§9.7.1)", async () => {
    const { u, path } = await appendixB("filters-b");
    const f = (text: string) => compFilter("VEVENT", "20060104T000000Z", "20060105T000000Z", `<C:prop-filter name="SUMMARY"><C:text-match>${text}</C:text-match></C:prop-filter>`);
    // abcd2.ics is in range only through its 4 January override "Event #2 bis"; abcd3.ics is "Event #3".
    expect(await queryNames(u, path, f("Event #"))).toEqual(["abcd2.ics", "abcd3.ics"]);
    expect(await queryNames(u, path, f("Event #3"))).toEqual(["abcd3.ics"]);
    expect(await queryNames(u, path, f("Event #1"))).toEqual([]);
    // The master's SUMMARY "Event #2" lies outside the range (2, 3, 5 January are masters, 4 is the override).
    expect(await queryNames(u, path, compFilter("VEVENT", "20060104T000000Z", "20060105T000000Z", `<C:prop-filter name="SUMMARY"><C:text-match>bis bis</C:text-match></C:prop-filter>`))).toEqual([]);
  });

  it("finds events by VALARM trigger time: a zoned event's alarm, and a weekly alarm on instances but not on an EXDATE or an override without alarm (§9.9 VALARM)", async () => {
    const u = await newUser("valarm");
    const path = cal(u);
    await putAll(u, path, { "ny.ics": thunderbirdNewYork, "weekly.ics": appleBerlin });
    const alarm = (start: string, end: string) =>
      `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:comp-filter name="VALARM"><C:time-range start="${start}" end="${end}"/></C:comp-filter></C:comp-filter></C:comp-filter>`;
    // 15 April 2025 15:30 EDT = 19:30Z, TRIGGER -PT1H: 18:30Z.
    expect(await queryNames(u, path, alarm("20250415T183000Z", "20250415T183100Z"))).toEqual(["ny.ics"]);
    expect(await queryNames(u, path, alarm("20250415T183001Z", "20250415T190000Z"))).toEqual([]);
    expect(await queryNames(u, path, alarm("20250415T180000Z", "20250415T183000Z"))).toEqual([]);
    // Mondays 10:00 Berlin (09:00Z in winter), TRIGGER -PT10M: 08:50Z.
    expect(await queryNames(u, path, alarm("20250113T085000Z", "20250113T085100Z"))).toEqual(["weekly.ics"]);
    expect(await queryNames(u, path, alarm("20250120T080000Z", "20250120T100000Z"))).toEqual([]); // EXDATE
    expect(await queryNames(u, path, alarm("20250210T000000Z", "20250211T000000Z"))).toEqual([]); // override has no VALARM
    expect(await queryNames(u, path, alarm("20250217T085000Z", "20250217T085100Z"))).toEqual(["weekly.ics"]);
  });
});
