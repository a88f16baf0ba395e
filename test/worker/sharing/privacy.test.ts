// Private events in a shared calendar (README "Sharing"; CLASS, RFC 5545
// §3.8.1.3, and CalendarServer's X-CALENDARSERVER-ACCESS): a read-only sharee
// sees an event marked PRIVATE or CONFIDENTIAL as busy time only — by GET, in
// calendar-data of every report, and its filters never match what is hidden;
// the owner and read-write sharees see it whole.
import { describe, expect, it } from "vitest";
import privateEvent from "../../fixtures/sharing/private-event.ics?raw";
import { dav, multistatus } from "../../helpers/dav-client.js";
import { crlf, ics, putOk } from "../../helpers/caldav.js";
import { calendarDataOf, calendarQueryBody, compFilter, multigetBody, report, syncBody } from "../../helpers/reports.js";
import { sharedFamily } from "../../helpers/sharing.js";

const HIDDEN = ["Doctor", "Clinic", "test results", "VALARM"];
const summaryMatch = (text: string) =>
  calendarQueryBody(`<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"><C:text-match>${text}</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter>`, { prop: "<D:getetag/><C:calendar-data/>" });

describe("a private event in a shared calendar", () => {
  it("is busy time only for a read-only sharee: GET, multiget, sync-collection and calendar-query calendar-data", async () => {
    const f = await sharedFamily();
    await putOk(f.owner, `${f.calendar}doctor.ics`, crlf(privateEvent));
    const get = await dav("GET", `${f.roUrl}doctor.ics`, { as: f.ro });
    const seen = await get.text();
    expect(Number(get.headers.get("content-length"))).toBe(new TextEncoder().encode(seen).byteLength);
    for (const text of [
      seen,
      calendarDataOf((await multistatus(await report(f.ro, f.roUrl, multigetBody([`${f.roUrl}doctor.ics`])))).get(`${f.roUrl}doctor.ics`)),
      calendarDataOf((await multistatus(await report(f.ro, f.roUrl, syncBody("", { prop: "<D:getetag/><C:calendar-data/>" })))).get(`${f.roUrl}doctor.ics`)),
      calendarDataOf((await multistatus(await report(f.ro, f.roUrl, calendarQueryBody(compFilter("VEVENT", "20260401T000000Z", "20260501T000000Z"), { prop: "<C:calendar-data/>" })))).get(`${f.roUrl}doctor.ics`)),
    ]) {
      expect(text).toContain("SUMMARY:Busy");
      expect(text).toContain("DTSTART:20260415T090000Z");
      expect(text).toContain("RRULE:FREQ=MONTHLY;COUNT=3");
      for (const h of HIDDEN) expect(text).not.toContain(h);
    }
  });

  it("a read-only sharee's text-match never matches what is hidden; the read-write sharee's and the owner's do", async () => {
    const f = await sharedFamily();
    await putOk(f.owner, `${f.calendar}doctor.ics`, crlf(privateEvent));
    const ro = await multistatus(await report(f.ro, f.roUrl, summaryMatch("Doctor")));
    expect([...ro.keys()]).toEqual([]);
    const rw = await multistatus(await report(f.rw, f.rwUrl, summaryMatch("Doctor")));
    expect(calendarDataOf(rw.get(`${f.rwUrl}doctor.ics`))).toContain("LOCATION:Clinic on Main Street");
    const own = await dav("GET", `${f.calendar}doctor.ics`, { as: f.owner });
    expect(await own.text()).toContain("DESCRIPTION:Bring the test results");
  });

  it("CONFIDENTIAL is busy-only too; a PUBLIC event is whole; free-busy shows the private event's time", async () => {
    const f = await sharedFamily();
    await putOk(f.owner, `${f.calendar}c.ics`, ics({ summary: "Surprise party", start: "20260501T180000Z", end: "20260501T200000Z", extra: ["CLASS:CONFIDENTIAL"] }));
    await putOk(f.owner, `${f.calendar}p.ics`, ics({ summary: "Picnic", start: "20260502T120000Z", end: "20260502T140000Z", extra: ["CLASS:PUBLIC"] }));
    expect(await (await dav("GET", `${f.roUrl}c.ics`, { as: f.ro })).text()).not.toContain("Surprise");
    expect(await (await dav("GET", `${f.roUrl}p.ics`, { as: f.ro })).text()).toContain("SUMMARY:Picnic");
    const fb = await report(f.ro, f.roUrl, `<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:time-range start="20260501T000000Z" end="20260502T000000Z"/></C:free-busy-query>`);
    expect(await fb.text()).toContain("20260501T180000Z/20260501T200000Z");
  });
});
