// Invalid escapes in iCalendar TEXT values (RFC 5545 §3.3.11: only \\, \;,
// \, \N and \n) are refused on the way in with 403 CALDAV:valid-calendar-data
// (RFC 4791 §5.3.2.1) by PUT and by the outbox POST (RFC 6638 §5), and
// nothing is stored; backslashes where no TEXT value is (URIs, addresses,
// parameters) and the valid escapes are accepted and served back as sent;
// bodies stored before the check still read.
import { describe, expect, it } from "vitest";
import { dav, errorConditions } from "../../helpers/dav-client.js";
import { CAL, cal, crlf, homeSql, newUser, overwriteStoredBody, put, putOk } from "../../helpers/caldav.js";
import { calendarDataOf, calendarQueryBody, compFilter, multistatusOf, report } from "../../helpers/reports.js";
import dquoteInSummary from "../../fixtures/ics/escapes/invalid-dquote-in-summary.ics?raw";
import colonInDescription from "../../fixtures/ics/escapes/invalid-colon-in-description.ics?raw";
import tabEscapeInLocation from "../../fixtures/ics/escapes/invalid-tab-escape-in-location.ics?raw";
import trailingBackslash from "../../fixtures/ics/escapes/invalid-trailing-backslash-in-comment.ics?raw";
import pathInXProperty from "../../fixtures/ics/escapes/invalid-path-in-x-property.ics?raw";
import escapeInCategories from "../../fixtures/ics/escapes/invalid-escape-in-categories.ics?raw";
import escapeInRequestStatus from "../../fixtures/ics/escapes/invalid-escape-in-request-status.ics?raw";
import escapeAcrossFold from "../../fixtures/ics/escapes/invalid-escape-across-fold.ics?raw";
import escapeValueText from "../../fixtures/ics/escapes/invalid-escape-value-text.ics?raw";
import escapeInTzname from "../../fixtures/ics/escapes/invalid-escape-in-tzname.ics?raw";
import escapeInFreebusyRequest from "../../fixtures/ics/escapes/invalid-escape-in-freebusy-request.ics?raw";
import validTextEscapes from "../../fixtures/ics/escapes/valid-text-escapes.ics?raw";
import validBackslashesOutsideText from "../../fixtures/ics/escapes/valid-backslashes-outside-text.ics?raw";

const REFUSED: Array<[string, string]> = [
  ['\\" in SUMMARY', dquoteInSummary],
  ["\\: in DESCRIPTION", colonInDescription],
  ["\\t in LOCATION", tabEscapeInLocation],
  ["a lone backslash ending COMMENT", trailingBackslash],
  ["\\s in an X- property (TEXT by default, §3.8.8.2)", pathInXProperty],
  ["\\& in multi-valued CATEGORIES", escapeInCategories],
  ["\\: in a part of structured REQUEST-STATUS", escapeInRequestStatus],
  ['\\" split from its backslash by a fold (§3.1)', escapeAcrossFold],
  ['\\" in STYLED-DESCRIPTION with VALUE=TEXT (RFC 9073)', escapeValueText],
  ["\\/ in a VTIMEZONE's TZNAME", escapeInTzname],
];

async function objectRows(user: string, name: string): Promise<number> {
  return (await homeSql(user, "SELECT name FROM objects WHERE name = ?", name)).length;
}

describe("invalid escapes in TEXT values (RFC 5545 §3.3.11)", () => {
  it.each(REFUSED)("refuses %s with 403 CALDAV:valid-calendar-data and creates nothing (RFC 4791 §5.3.2.1)", async (_what, body) => {
    const u = await newUser("esc");
    for (const text of [body, crlf(body)]) {
      const res = await put(u, `${cal(u)}esc.ics`, text, { "Content-Type": "text/calendar; charset=utf-8" });
      expect(res.status).toBe(403);
      expect(await errorConditions(res)).toEqual([CAL("valid-calendar-data")]);
      expect((await dav("GET", `${cal(u)}esc.ics`, { as: u })).status).toBe(404);
      expect(await objectRows(u.user, "esc.ics")).toBe(0);
    }
  });

  it("refuses an invalid escape when it would replace an existing object, and keeps the old one", async () => {
    const u = await newUser("esc");
    const fixed = dquoteInSummary.replaceAll('\\"', '"');
    const etag = await putOk(u, `${cal(u)}keep.ics`, fixed);
    const res = await put(u, `${cal(u)}keep.ics`, dquoteInSummary, { "If-Match": etag });
    expect(res.status).toBe(403);
    const got = await dav("GET", `${cal(u)}keep.ics`, { as: u });
    expect(got.headers.get("etag")).toBe(etag);
    expect(await got.text()).toBe(fixed);
  });

  it("refuses a free-busy request POSTed to the outbox with an invalid escape, and answers the same request without it (RFC 6638 §5)", async () => {
    const u = await newUser("esc");
    const mine = escapeInFreebusyRequest.replace("cyrus@example.com", `${u.user}@example.com`);
    const post = (body: string) =>
      dav("POST", `/calendars/${u.user}/outbox/`, { as: u, body: crlf(body), headers: { "Content-Type": "text/calendar; charset=utf-8" } });
    const res = await post(mine);
    expect(res.status).toBe(403);
    expect(await errorConditions(res)).toEqual([CAL("valid-calendar-data")]);
    const fixed = await post(mine.replaceAll('\\"', '"'));
    expect(fixed.status).toBe(200);
    await fixed.arrayBuffer();
  });
});

describe("valid escapes and backslashes outside TEXT values are accepted (RFC 5545 §3.3.11, §3.3.3, §3.3.13, RFC 6868)", () => {
  it.each([
    ["every TEXT escape, one split by a fold", validTextEscapes],
    ["backslashes in URIs, CAL-ADDRESS values and parameters", validBackslashesOutsideText],
  ])("accepts %s and serves it back byte for byte", async (_what, body) => {
    const u = await newUser("esc");
    for (const text of [body, crlf(body)]) {
      await putOk(u, `${cal(u)}ok.ics`, text);
      const got = await dav("GET", `${cal(u)}ok.ics`, { as: u });
      expect(got.status).toBe(200);
      expect(await got.text()).toBe(text);
    }
  });
});

describe("bodies stored before the check", () => {
  it("still read: GET and calendar-query serve an object with an invalid escape (no stored object vanishes)", async () => {
    const u = await newUser("esc");
    const clean = dquoteInSummary.replaceAll('\\"', '"');
    await putOk(u, `${cal(u)}old.ics`, clean);
    // What an earlier version of the server accepted: the same object with \", already in R2.
    await overwriteStoredBody(u.user, "old.ics", dquoteInSummary);

    const get = await dav("GET", `${cal(u)}old.ics`, { as: u });
    expect(get.status).toBe(200);
    expect(await get.text()).toBe(dquoteInSummary);
    const q = await report(u, cal(u), calendarQueryBody(compFilter("VEVENT", "20250910T000000Z", "20250911T000000Z"), { prop: "<C:calendar-data/>" }));
    const { responses } = await multistatusOf(q);
    expect(calendarDataOf(responses.get(`${cal(u)}old.ics`))).toContain('SUMMARY:Team \\"offsite\\" planning');
  });
});
