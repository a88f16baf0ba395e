// Busy time requests on the Outbox (RFC 6638 §5, Appendix B.5; RFC 5546
// §3.3.2 and §3.3.3).
import { describe, expect, it } from "vitest";
import { freeBusyReply, parseFreeBusyRequest } from "../../../src/core/schedule/freebusy-request.js";
import { ITIP } from "./fixtures.js";
import { CYRUS, MIKE, WILFREDO, edit, expectPrecondition, vcalendar } from "./helpers.js";

const H = 3_600_000;

describe("parseFreeBusyRequest (RFC 6638 §5)", () => {
  it("reads the range, the ORGANIZER and the Attendees of Appendix B.5", () => {
    const r = parseFreeBusyRequest(ITIP.b5FreebusyRequest, [CYRUS]);
    expect([r.uid, r.dtstamp, r.organizer, r.start, r.end]).toEqual(["4FD3AD926350", "20090602T190420Z", CYRUS, Date.UTC(2009, 5, 2), Date.UTC(2009, 5, 4)]);
    expect(r.attendees).toEqual([WILFREDO, "mailto:bernard@example.net", MIKE]);
  });

  it("refuses an ORGANIZER that is not the Outbox owner (valid-organizer, §5.2.2)", () => {
    expectPrecondition(() => parseFreeBusyRequest(ITIP.b5FreebusyRequest, ["mailto:bernard@example.net"]), "valid-organizer", 403);
  });

  it("refuses a request without METHOD:REQUEST, ATTENDEE or range (valid-scheduling-message, §5.2.1)", () => {
    expectPrecondition(() => parseFreeBusyRequest(edit(ITIP.b5FreebusyRequest, ["METHOD:REQUEST", "METHOD:PUBLISH"]), [CYRUS]), "valid-scheduling-message", 400);
    const none = edit(ITIP.b5FreebusyRequest, ["ATTENDEE;CN=\"Wilfredo Sanchez Vega\":mailto:wilfredo@example.com", null], ["ATTENDEE;CN=\"Bernard Desruisseaux\":mailto:bernard@example.net", null], ["ATTENDEE;CN=\"Mike Douglass\":mailto:mike@example.org", null]);
    expectPrecondition(() => parseFreeBusyRequest(none, [CYRUS]), "valid-scheduling-message", 400);
    expectPrecondition(() => parseFreeBusyRequest(edit(ITIP.b5FreebusyRequest, ["DTEND:20090604T000000Z", null]), [CYRUS]), "valid-scheduling-message", 400);
    expectPrecondition(() => parseFreeBusyRequest("BEGIN:VCALENDAR\nEND:VEVENT", [CYRUS]), "valid-calendar-data", 400);
  });
});

describe("freeBusyReply (RFC 5546 §3.3.3)", () => {
  it("answers with METHOD:REPLY, the recipient's ATTENDEE and merged, clipped FREEBUSY periods", () => {
    const request = parseFreeBusyRequest(ITIP.b5FreebusyRequest, [CYRUS]);
    const day = Date.UTC(2009, 5, 2);
    const text = freeBusyReply({
      request, attendee: WILFREDO, now: Date.UTC(2009, 5, 2, 20, 7, 33),
      busy: [{ start: day + 11 * H, end: day + 12 * H }, { start: day + 11.5 * H, end: day + 13 * H }, { start: day - H, end: day + H, type: "BUSY-TENTATIVE" }],
    });
    const cal = vcalendar(text);
    expect(cal.getFirstPropertyValue("method")).toBe("REPLY");
    const fb = cal.getFirstSubcomponent("vfreebusy")!;
    expect(String(fb.getFirstPropertyValue("attendee"))).toBe(WILFREDO);
    expect(fb.getFirstProperty("attendee")!.getParameter("cn")).toBe("Wilfredo Sanchez Vega");
    expect(fb.getFirstPropertyValue("dtstamp")!.toString()).toBe("2009-06-02T20:07:33Z");
    expect(fb.getAllProperties("freebusy").map((p) => p.toICALString())).toEqual([
      "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20090602T000000Z/20090602T010000Z",
      "FREEBUSY;FBTYPE=BUSY:20090602T110000Z/20090602T130000Z",
    ]);
  });
});
