// SCHEDULE-STATUS values and parameters (RFC 6638 §3.2.9, §7.3) and the
// Schedule-Tag rules (§3.2.10).
import { describe, expect, it } from "vitest";
import { needsNewScheduleTag } from "../../../src/core/schedule/schedule-tag.js";
import { SCHEDULE_STATUS, requestStatusText, setOrganizerScheduleStatus, setScheduleStatus, stripScheduleParams } from "../../../src/core/schedule/status.js";
import { ITIP } from "./fixtures.js";
import { BERNARD, WILFREDO, eventsOf } from "./helpers.js";

const statusOf = (text: string, address: string, i = 0) =>
  eventsOf(text)[i]!.getAllProperties("attendee").find((p) => String(p.getFirstValue()).toLowerCase() === address)?.getParameter("schedule-status");

describe("SCHEDULE-STATUS (RFC 6638 §3.2.9, §7.3)", () => {
  it("has the delivery codes of §3.2.9", () => {
    expect(SCHEDULE_STATUS).toMatchObject({ PENDING: "1.0", SENT: "1.1", DELIVERED: "1.2", INVALID_USER: "3.7", NO_AUTHORITY: "3.8", TEMPORARY_FAILURE: "5.1", NO_DELIVERY_METHOD: "5.2", REJECTED: "5.3" });
    expect(requestStatusText("3.7")).toBe("3.7;Invalid calendar user");
  });

  it("is set on the listed Attendees in every component, or only in the given instances", () => {
    const all = setScheduleStatus(ITIP.b7BernardDeclinesInstance, { "mailto:Bernard@example.net": "1.2" });
    expect([statusOf(all, BERNARD, 0), statusOf(all, BERNARD, 1)]).toEqual(["1.2", "1.2"]);
    const one = setScheduleStatus(ITIP.b7BernardDeclinesInstance, { [BERNARD]: "5.1" }, ["20090602T190000Z"]);
    expect([statusOf(one, BERNARD, 0), statusOf(one, BERNARD, 1)]).toEqual([undefined, "5.1"]);
    expect(setScheduleStatus(ITIP.b1OrganizerInvite, { "mailto:nobody@example.com": "1.2" })).toBe(ITIP.b1OrganizerInvite);
  });

  it("is set on the ORGANIZER of an Attendee's copy, and stripped on request", () => {
    const text = setOrganizerScheduleStatus(ITIP.b3WilfredoAccepts, "1.2");
    expect(String(eventsOf(text)[0]!.getFirstProperty("organizer")!.getParameter("schedule-status"))).toBe("1.2");
    const stripped = stripScheduleParams(setScheduleStatus(text, { [WILFREDO]: "2.0" }));
    expect(stripped).not.toContain("SCHEDULE-STATUS");
  });
});

describe("Schedule-Tag (RFC 6638 §3.2.10)", () => {
  it("changes for client writes and consequential server changes only", () => {
    expect(needsNewScheduleTag({ kind: "client-put" })).toBe(true);
    expect(needsNewScheduleTag({ kind: "server-reply-merge" })).toBe(false);
    expect(needsNewScheduleTag({ kind: "server-status" })).toBe(false);
    expect(needsNewScheduleTag({ kind: "server-request-applied", partstatOnly: true })).toBe(false);
    expect(needsNewScheduleTag({ kind: "server-request-applied", partstatOnly: false })).toBe(true);
    expect(needsNewScheduleTag({ kind: "server-cancel-applied" })).toBe(true);
  });
});
