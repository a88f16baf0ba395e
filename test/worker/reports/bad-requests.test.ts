// Bad REPORT requests end to end: invalid calendar-query filters answer 403
// CALDAV:valid-filter (RFC 4791 §7.8 preconditions, §9.7, §9.9), an invalid
// CALDAV:timezone CALDAV:valid-calendar-data, time ranges outside
// min/max-date-time their preconditions, unknown or misplaced reports 403
// DAV:supported-report (RFC 3253 §3.6), malformed XML 400, and nothing,
// however mangled, a 5xx. Also the Depth marshalling of calendar-query
// (§7.8: no Depth header means Depth 0).
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { CAL, D, cal, home, ics, newUser, putOk } from "../../helpers/caldav.js";
import { errorConditions, type Creds } from "../../helpers/dav-client.js";
import { calendarQueryBody, compFilter, freeBusyBody, multigetBody, multistatusOf, report, syncBody } from "../../helpers/reports.js";

let u: Creds;

beforeAll(async () => {
  u = await newUser("badreq");
  await putOk(u, `${cal(u)}a.ics`, ics({ start: "20060104T100000Z", end: "20060104T110000Z", summary: "Event" }));
  await putOk(u, `${cal(u, "tasks")}t.ics`, ics({ component: "VTODO", end: "20060104T100000Z" }));
});

async function expectCondition(res: Response, status: number, condition: string, what: string) {
  const text = await res.text();
  expect(res.status, `${what}: ${text.slice(0, 300)}`).toBe(status);
  expect(text, what).toContain(condition.replace(/^\{[^}]*\}/, ""));
}

const query = (filter: string, extra: { timezone?: string } = {}) => report(u, cal(u), calendarQueryBody(filter, extra));

describe("invalid filters → 403 CALDAV:valid-filter (RFC 4791 §7.8, §9.7)", () => {
  const cases: Array<[string, string]> = [
    ["no comp-filter at all", ""],
    ["a top comp-filter other than VCALENDAR", `<C:comp-filter name="VEVENT"/>`],
    ["two top comp-filters", `<C:comp-filter name="VCALENDAR"/><C:comp-filter name="VCALENDAR"/>`],
    ["a comp-filter without a name", `<C:comp-filter name="VCALENDAR"><C:comp-filter/></C:comp-filter>`],
    ["is-not-defined beside a time-range", compFilter("VEVENT", "20060104T000000Z", "20060105T000000Z", "<C:is-not-defined/>")],
    ["time-range and text-match in one prop-filter", `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="DTSTART"><C:time-range start="20060104T000000Z"/><C:text-match>x</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter>`],
    ["negate-condition other than yes/no", `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"><C:text-match negate-condition="maybe">x</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter>`],
    ["an unknown element in a comp-filter", `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:frobnicate/></C:comp-filter></C:comp-filter>`],
  ];
  for (const [what, filter] of cases) {
    it(`refuses ${what}`, async () => {
      await expectCondition(await query(filter), 403, CAL("valid-filter"), what);
    });
  }

  it("refuses a calendar-query without CALDAV:filter (§9.5: filter is required)", async () => {
    const res = await report(u, cal(u), `<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop></C:calendar-query>`);
    await expectCondition(res, 403, CAL("valid-filter"), "no filter");
  });

  it("refuses a VEVENT comp-filter nested in a VTODO comp-filter, the RFC's own example of an invalid filter (§7.8 CALDAV:valid-filter)", async () => {
    const nested = `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VTODO"><C:comp-filter name="VEVENT"/></C:comp-filter></C:comp-filter>`;
    await expectCondition(await query(nested), 403, CAL("valid-filter"), "VEVENT in VTODO");
  });

  it("refuses a time-range in a SUMMARY prop-filter, the RFC's own example of an invalid filter (§7.8 CALDAV:valid-filter)", async () => {
    const summaryRange = `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"><C:time-range start="20060104T000000Z" end="20060105T000000Z"/></C:prop-filter></C:comp-filter></C:comp-filter>`;
    await expectCondition(await query(summaryRange), 403, CAL("valid-filter"), "time-range on SUMMARY");
  });
});

describe("invalid time ranges (RFC 4791 §9.9)", () => {
  const ranges: Array<[string, string]> = [
    ["neither start nor end", "<C:time-range/>"],
    ["end before start", `<C:time-range start="20060105T000000Z" end="20060104T000000Z"/>`],
    ["end equal to start", `<C:time-range start="20060104T000000Z" end="20060104T000000Z"/>`],
    ["a floating (non-UTC) start", `<C:time-range start="20060104T000000" end="20060105T000000Z"/>`],
    ["a DATE end", `<C:time-range start="20060104T000000Z" end="20060105"/>`],
    ["an ISO 8601 extended start", `<C:time-range start="2006-01-04T00:00:00Z"/>`],
    ["a UTC offset", `<C:time-range start="20060104T000000+0100"/>`],
    ["month 13", `<C:time-range start="20061304T000000Z"/>`],
    ["30 February", `<C:time-range end="20060230T000000Z"/>`],
    ["hour 24", `<C:time-range start="20060104T240000Z"/>`],
    ["garbage", `<C:time-range start="yesterday" end="tomorrow"/>`],
  ];
  for (const [what, tr] of ranges) {
    it(`refuses a comp-filter time-range with ${what} with 403 CALDAV:valid-filter`, async () => {
      const filter = `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">${tr}</C:comp-filter></C:comp-filter>`;
      await expectCondition(await query(filter), 403, CAL("valid-filter"), what);
    });
  }

  it("refuses the same bad ranges in a prop-filter and a VALARM comp-filter", async () => {
    const prop = `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="DTSTART"><C:time-range start="20060105T000000Z" end="20060104T000000Z"/></C:prop-filter></C:comp-filter></C:comp-filter>`;
    await expectCondition(await query(prop), 403, CAL("valid-filter"), "prop-filter");
    const alarm = `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:comp-filter name="VALARM"><C:time-range start="20060104T000000"/></C:comp-filter></C:comp-filter></C:comp-filter>`;
    await expectCondition(await query(alarm), 403, CAL("valid-filter"), "VALARM");
  });

  it("refuses a time range entirely before min-date-time with 403 CALDAV:min-date-time (§7.8 precondition)", async () => {
    await expectCondition(await query(compFilter("VEVENT", "17000101T000000Z", "17000102T000000Z")), 403, CAL("min-date-time"), "before 1800");
  });

  it("refuses a time range entirely after max-date-time with 403 CALDAV:max-date-time (§7.8 precondition)", async () => {
    await expectCondition(await query(compFilter("VEVENT", "24000101T000000Z", "24000102T000000Z")), 403, CAL("max-date-time"), "after 2300");
  });

  it("answers 400 to a free-busy-query whose time-range is missing or malformed (§7.10 defines no precondition for it)", async () => {
    const bodies = [
      `<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"/>`,
      `<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:time-range/></C:free-busy-query>`,
      freeBusyBody("20060105T000000Z", "20060104T000000Z"),
      freeBusyBody("20060104T000000"),
      freeBusyBody("2006-01-04", "20060105T000000Z"),
      `<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:time-range start="20060104T000000Z"/></C:free-busy-query>`,
    ];
    for (const body of bodies) {
      const res = await report(u, cal(u), body);
      expect(res.status, body).toBe(400);
    }
  });
});

describe("CALDAV:timezone and calendar-data requests (RFC 4791 §7.8, §9.6, §9.8)", () => {
  it("refuses a CALDAV:timezone that is not one valid VTIMEZONE with 403 CALDAV:valid-calendar-data", async () => {
    for (const tz of ["not a calendar", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nEND:VCALENDAR\r\n"]) {
      await expectCondition(await query(compFilter("VEVENT", "20060104T000000Z", "20060105T000000Z"), { timezone: tz }), 403, CAL("valid-calendar-data"), tz);
    }
  });

  it("refuses expand or limit-recurrence-set without start and end, or with end before start, with a 4xx", async () => {
    for (const data of [
      `<C:expand start="20060104T000000Z"/>`,
      `<C:expand start="20060105T000000Z" end="20060104T000000Z"/>`,
      `<C:limit-recurrence-set end="20060104T000000Z"/>`,
      `<C:limit-freebusy-set start="20060104T000000" end="20060105T000000Z"/>`,
    ]) {
      const res = await report(u, cal(u), calendarQueryBody(compFilter("VEVENT"), { prop: `<C:calendar-data>${data}</C:calendar-data>` }));
      expect(res.status, data).toBeGreaterThanOrEqual(400);
      expect(res.status, data).toBeLessThan(500);
    }
  });
});

describe("report dispatch (RFC 3253 §3.6)", () => {
  it("refuses an unknown report on a calendar, the home and an object with 403 DAV:supported-report", async () => {
    for (const path of [cal(u), home(u), `${cal(u)}a.ics`, "/principals/"]) {
      const res = await report(u, path, `<C:calendar-frobnicate xmlns:C="urn:ietf:params:xml:ns:caldav"/>`);
      expect(res.status, path).toBe(403);
      expect(await errorConditions(res), path).toEqual([D("supported-report")]);
    }
  });

  it("refuses calendar-query and calendar-multiget on the home and the principal collection, which are no calendars, with 403 DAV:supported-report", async () => {
    for (const path of [home(u), "/principals/", "/calendars/"]) {
      for (const body of [calendarQueryBody(compFilter("VEVENT")), multigetBody([`${cal(u)}a.ics`])]) {
        const res = await report(u, path, body);
        expect(res.status, `${path} ${body.slice(0, 30)}`).toBe(403);
        expect(await errorConditions(res)).toEqual([D("supported-report")]);
      }
    }
  });

  it("answers 404 for a calendar-query on a calendar that does not exist", async () => {
    const res = await report(u, cal(u, "no-such-calendar"), calendarQueryBody(compFilter("VEVENT")));
    expect(res.status).toBe(404);
  });

  it("answers 400 to malformed XML and to an empty body for every report", async () => {
    const bodies = [
      calendarQueryBody(compFilter("VEVENT")).slice(0, -10),
      multigetBody([`${cal(u)}a.ics`]).replace("</D:prop>", ""),
      freeBusyBody("20060104T000000Z", "20060105T000000Z").replace("/>", ">"),
      syncBody("").replace("<D:sync-token>", "<D:sync-token"),
      `<D:principal-property-search xmlns:D="DAV:"><D:property-search>`,
      "",
      "   ",
      "<<<>>>",
    ];
    for (const body of bodies) {
      const res = await report(u, cal(u), body, body.includes("sync-collection") ? "0" : "1");
      expect(res.status, JSON.stringify(body.slice(0, 60))).toBe(400);
    }
  });
});

describe("calendar-query Depth (RFC 4791 §7.8 marshalling)", () => {
  it("answers Depth 1 on a calendar with its matching objects and Depth 0 with none (the collection is no calendar object)", async () => {
    const one = await multistatusOf(await report(u, cal(u), calendarQueryBody(compFilter("VEVENT")), "1"));
    expect([...one.responses.keys()]).toEqual([`${cal(u)}a.ics`]);
    const zero = await multistatusOf(await report(u, cal(u), calendarQueryBody(compFilter("VEVENT")), "0"));
    expect(zero.responses.size).toBe(0);
  });

  it("queries the object itself when the Request-URI is a calendar object resource", async () => {
    const hit = await multistatusOf(await report(u, `${cal(u)}a.ics`, calendarQueryBody(compFilter("VEVENT")), "0"));
    expect([...hit.responses.keys()]).toEqual([`${cal(u)}a.ics`]);
    const miss = await multistatusOf(await report(u, `${cal(u)}a.ics`, calendarQueryBody(compFilter("VTODO")), "0"));
    expect(miss.responses.size).toBe(0);
  });

  it("queries a calendar's objects when the Depth header is missing (Depth 0 there could only match nothing; clients mean 1)", async () => {
    const none = await multistatusOf(await report(u, cal(u), calendarQueryBody(compFilter("VEVENT")), null));
    expect([...none.responses.keys()]).toEqual([`${cal(u)}a.ics`]);
    const object = await multistatusOf(await report(u, `${cal(u)}a.ics`, calendarQueryBody(compFilter("VEVENT")), null));
    expect([...object.responses.keys()], "on an object, no Depth is Depth 0: the object itself").toEqual([`${cal(u)}a.ics`]);
  });

  it("answers 400 for a Depth header that is not 0, 1 or infinity", async () => {
    const res = await report(u, cal(u), calendarQueryBody(compFilter("VEVENT")), "2");
    expect(res.status).toBe(400);
  });
});

describe("no 5xx, however mangled the request (robustness)", () => {
  const templates = [
    (a: string, b: string) => calendarQueryBody(`<C:comp-filter name="VCALENDAR"><C:comp-filter name="${a}"><C:time-range start="${b}" end="${a}"/></C:comp-filter></C:comp-filter>`),
    (a: string, b: string) => calendarQueryBody(`<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="${a}"><C:text-match collation="${b}" negate-condition="${a}">${b}</C:text-match><C:param-filter name="${b}"/></C:prop-filter></C:comp-filter></C:comp-filter>`),
    (a: string, b: string) => calendarQueryBody(compFilter("VEVENT"), { prop: `<C:calendar-data content-type="${a}" version="${b}"><C:comp name="${a}"><C:prop name="${b}" novalue="${a}"/></C:comp><C:expand start="${a}" end="${b}"/></C:calendar-data>` }),
    (a: string, b: string) => calendarQueryBody(compFilter("VEVENT"), { timezone: `BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:${a}\r\n${b}\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n` }),
    (a: string, b: string) => multigetBody([a, b, `${cal(u)}${a}`]),
    (a: string, b: string) => freeBusyBody(a, b),
    (a: string, b: string) => syncBody(a, { limit: b, level: a }),
    (a: string, b: string) => `<D:expand-property xmlns:D="DAV:"><D:property name="${a}" namespace="${b}"><D:property name="${b}"/></D:property></D:expand-property>`,
    (a: string, b: string) => `<D:principal-property-search xmlns:D="DAV:" test="${a}"><D:property-search><D:prop><D:displayname/></D:prop><D:match match-type="${b}">${a}</D:match></D:property-search></D:principal-property-search>`,
    (a: string, b: string) => `<D:principal-match xmlns:D="DAV:"><D:principal-property><${a.replace(/[^A-Za-z]/g, "") || "x"} xmlns="${b.replace(/"/g, "")}"/></D:principal-property></D:principal-match>`,
  ];
  // Attribute-safe random strings: XML special characters escaped, so the body stays well-formed and reaches the report.
  const value = fc
    .oneof(fc.string({ maxLength: 24 }), fc.constantFrom("", "0", "-1", "VEVENT", "VALARM", "20060104T000000Z", "99999999T999999Z", "i;octet", "yes", "no", "PT1H", "/", "%zz", "..", "http://x/"))
    .map((s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;").replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, ""));

  it("answers every randomly filled report body with a status below 500", { timeout: 30_000 }, async () => {
    const paths = [cal(u), `${cal(u)}a.ics`, home(u), "/principals/", cal(u, "tasks")];
    await fc.assert(
      fc.asyncProperty(fc.nat(templates.length - 1), fc.nat(paths.length - 1), value, value, fc.constantFrom("0", "1", null), async (t, p, a, b, depth) => {
        const res = await report(u, paths[p]!, templates[t]!(a, b), depth);
        const text = await res.text();
        expect(res.status, `${paths[p]} ${templates[t]!(a, b).slice(0, 200)}\n${text.slice(0, 300)}`).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
  });
});
