// Attendee changes to their copy (RFC 6638 §3.2.2), modelled on Appendix B.3,
// B.7 and B.8: REPLYs for changed PARTSTATs and removed instances, DECLINED on
// delete unless "Schedule-Reply: F" (§8.1), SCHEDULE-AGENT (§7.1),
// SCHEDULE-FORCE-SEND=REPLY (§7.2), and the allowed changes of §3.2.2.1.
import { describe, expect, it } from "vitest";
import { planAttendee } from "../../../src/core/schedule/attendee.js";
import { ITIP } from "./fixtures.js";
import { BERNARD, CYRUS, NOW, NOW_STAMP, WILFREDO, attendeesOf, edit, eventsOf, expectPrecondition, methodOf, partstatOf, put, ridsOf, stored } from "./helpers.js";

const wilfredoCopy = edit(ITIP.b2RequestWilfredo, ["METHOD:REQUEST", null]);
const plan = (old: string, next: string | null, me: string, scheduleReply?: boolean) =>
  planAttendee({ old: stored(old), next: next ? put(next) : null, attendeeAddress: me, now: NOW, ...(scheduleReply === undefined ? {} : { scheduleReply }) });

describe("an Attendee answering (RFC 6638 §3.2.2.3, Appendix B.3/B.4)", () => {
  const r = plan(wilfredoCopy, ITIP.b3WilfredoAccepts, WILFREDO);

  it("sends a REPLY to the Organizer with only the replying ATTENDEE and its PARTSTAT (RFC 5546 §3.2.3)", () => {
    expect(r.messages).toHaveLength(1);
    const m = r.messages[0]!;
    expect([m.method, m.originator, m.recipient, m.sequence, m.dtstamp]).toEqual(["REPLY", WILFREDO, CYRUS, 0, NOW_STAMP]);
    expect(methodOf(m.body)).toBe("REPLY");
    const event = eventsOf(m.body)[0]!;
    expect(attendeesOf(event)).toEqual([WILFREDO]);
    expect(partstatOf(event, WILFREDO)).toBe("ACCEPTED");
    expect(String(event.getFirstPropertyValue("organizer"))).toBe(CYRUS);
    expect(event.getFirstPropertyValue("uid")).toBe("9263504FD3AD");
    expect(event.getFirstPropertyValue("sequence")).toBe(0);
    expect(event.getFirstProperty("dtstart")!.toICALString()).toBe("DTSTART:20090602T160000Z");
    expect(event.getFirstProperty("request-status")!.toICALString()).toBe("REQUEST-STATUS:2.0;Success");
    expect(m.body).not.toContain("VALARM");
  });

  it("stores the copy as sent (the reminder is the Attendee's own), but for RSVP: answered, no reply is awaited (RFC 5545 §3.2.17)", () => {
    expect(r.rewritten).toBe(true);
    const mine = eventsOf(r.text!)[0]!.getAllProperties("attendee").find((p) => String(p.getFirstValue()) === WILFREDO)!;
    expect(mine.getParameter("rsvp")).toBeUndefined();
    expect(mine.getParameter("partstat")).toBe("ACCEPTED");
    const bernard = eventsOf(r.text!)[0]!.getAllProperties("attendee").find((p) => String(p.getFirstValue()) === BERNARD)!;
    expect(bernard.getParameter("rsvp"), "another Attendee's RSVP is not the server's to change here").toBe("TRUE");
    expect(eventsOf(r.text!)[0]!.getFirstSubcomponent("valarm")).not.toBeNull();
  });

  it("sends nothing when only alarms, TRANSP or X- properties changed (§3.2.2.1)", () => {
    const next = edit(ITIP.b3WilfredoAccepts, ["TRANSP:OPAQUE", "TRANSP:TRANSPARENT\nX-MOZ-LASTACK:20250101T000000Z\nCATEGORIES:Food"], ["TRIGGER:-PT15M", "TRIGGER:-PT5M"]);
    expect(plan(ITIP.b3WilfredoAccepts, next, WILFREDO).messages).toEqual([]);
  });

  it("sends a REPLY for SCHEDULE-FORCE-SEND=REPLY on the ORGANIZER and does not store it (§7.2)", () => {
    const next = edit(ITIP.b3WilfredoAccepts, ["ORGANIZER;CN=\"Cyrus Daboo\":mailto:cyrus@example.com", "ORGANIZER;CN=\"Cyrus Daboo\";SCHEDULE-FORCE-SEND=REPLY:mailto:cyrus@example.com"]);
    const f = plan(ITIP.b3WilfredoAccepts, next, WILFREDO);
    expect(f.messages.map((m) => m.method)).toEqual(["REPLY"]);
    expect(f.rewritten).toBe(true);
    expect(f.text).not.toContain("SCHEDULE-FORCE-SEND");
  });

  it("sends nothing when SCHEDULE-AGENT on the ORGANIZER is CLIENT or NONE (§3.2.2.3)", () => {
    for (const agent of ["CLIENT", "NONE"]) {
      const set = (t: string) => edit(t, ["ORGANIZER;CN=\"Cyrus Daboo\":mailto:cyrus@example.com", `ORGANIZER;SCHEDULE-AGENT=${agent}:mailto:cyrus@example.com`]);
      expect(plan(set(wilfredoCopy), set(ITIP.b3WilfredoAccepts), WILFREDO).messages).toEqual([]);
    }
  });
});

describe("an Attendee and one instance of a recurring event (Appendix B.7, B.8)", () => {
  it("declining one instance: REPLY with only that override (B.7)", () => {
    const r = plan(ITIP.b7BernardCopy, ITIP.b7BernardDeclinesInstance, BERNARD);
    expect(r.messages).toHaveLength(1);
    const m = r.messages[0]!;
    expect(m.recurrenceIds).toEqual(["20090602T190000Z"]);
    expect(ridsOf(m.body)).toEqual(["2009-06-02T15:00:00"]);
    expect(partstatOf(eventsOf(m.body)[0]!, BERNARD)).toBe("DECLINED");
    expect(m.body).toContain("TZID:America/Montreal");
  });

  it("removing one instance with an EXDATE: REPLY DECLINED for it (§3.2.2.3, B.8)", () => {
    const r = plan(ITIP.b7BernardDeclinesInstance, ITIP.b8BernardRemovesInstance, BERNARD);
    const m = r.messages[0]!;
    expect(m.recurrenceIds).toEqual(["20090603T190000Z"]);
    const event = eventsOf(m.body)[0]!;
    expect(partstatOf(event, BERNARD)).toBe("DECLINED");
    expect(event.getFirstProperty("recurrence-id")!.toICALString()).toBe("RECURRENCE-ID;TZID=America/Montreal:20090603T150000");
    expect(event.getFirstProperty("dtend")!.toICALString()).toBe("DTEND;TZID=America/Montreal:20090603T160000");
  });

  it("changing the master PARTSTAT replies with the master and the overrides that changed with it", () => {
    const next = edit(ITIP.b7BernardDeclinesInstance, ["ATTENDEE;CN=\"Bernard Desruisseaux\";CUTYPE=INDIVIDUAL;PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:bernard@example.net",
      "ATTENDEE;PARTSTAT=TENTATIVE:mailto:bernard@example.net"]);
    expect(plan(ITIP.b7BernardDeclinesInstance, next, BERNARD).messages[0]!.recurrenceIds).toEqual([""]);
  });
});

describe("an Attendee deleting their copy (RFC 6638 §3.2.2.4, §8.1)", () => {
  it("sends a REPLY with PARTSTAT=DECLINED for the whole event", () => {
    const r = plan(ITIP.b3WilfredoAccepts, null, WILFREDO);
    expect(r.messages.map((m) => [m.method, m.recipient, m.recurrenceIds])).toEqual([["REPLY", CYRUS, [""]]]);
    expect(partstatOf(eventsOf(r.messages[0]!.body)[0]!, WILFREDO)).toBe("DECLINED");
    expect(r.text).toBeNull();
  });

  it("sends nothing with Schedule-Reply: F, when already DECLINED, or when the event is cancelled", () => {
    expect(plan(ITIP.b3WilfredoAccepts, null, WILFREDO, false).messages).toEqual([]);
    const declined = edit(ITIP.b3WilfredoAccepts, ["ATTENDEE;CN=\"Wilfredo Sanchez Vega\";CUTYPE=INDIVIDUAL;PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:wilfredo@example.com", "ATTENDEE;PARTSTAT=DECLINED:mailto:wilfredo@example.com"]);
    expect(plan(declined, null, WILFREDO).messages).toEqual([]);
    expect(plan(edit(ITIP.b3WilfredoAccepts, ["TRANSP:OPAQUE", "STATUS:CANCELLED"]), null, WILFREDO).messages).toEqual([]);
  });

  it("declines only the instances the Attendee is invited to", () => {
    const r = plan(ITIP.b7BernardDeclinesInstance, null, BERNARD);
    expect(r.messages[0]!.recurrenceIds).toEqual([""]); // the override is already DECLINED
  });
});

describe("changes an Attendee may not make (allowed-attendee-scheduling-object-change, §3.2.2.1, §3.2.4.4)", () => {
  const refused = (next: string, old = ITIP.b3WilfredoAccepts) => expectPrecondition(() => plan(old, next, WILFREDO), "allowed-attendee-scheduling-object-change");

  it("refuses a new DTSTART, SUMMARY, other Attendees or ORGANIZER", () => {
    expect(refused(edit(ITIP.b3WilfredoAccepts, ["DTSTART:20090602T160000Z", "DTSTART:20090602T150000Z"]))).toMatch(/DTSTART/);
    expect(refused(edit(ITIP.b3WilfredoAccepts, ["SUMMARY:Lunch", "SUMMARY:Dinner"]))).toMatch(/SUMMARY/);
    refused(edit(ITIP.b3WilfredoAccepts, ["TRANSP:OPAQUE", "ATTENDEE:mailto:lisa@example.com"]));
    refused(edit(ITIP.b3WilfredoAccepts, ["ORGANIZER;CN=\"Cyrus Daboo\":mailto:cyrus@example.com", "ORGANIZER:mailto:wilfredo@example.com"]));
  });

  it("repairs what a sloppy client dropped or bumped instead of refusing it: SEQUENCE, the Organizer's X- properties, overrides", () => {
    const bumped = plan(wilfredoCopy, edit(ITIP.b3WilfredoAccepts, ["SEQUENCE:0", "SEQUENCE:3"]), WILFREDO);
    expect(eventsOf(bumped.text!)[0]!.getFirstPropertyValue("sequence"), "the Organizer's SEQUENCE, put back").toBe(0);
    const withX = edit(wilfredoCopy, ["SUMMARY:Lunch", "SUMMARY:Lunch\nX-ORGANIZER-NOTE:bring slides"]);
    const dropped = plan(withX, ITIP.b3WilfredoAccepts, WILFREDO);
    expect(eventsOf(dropped.text!)[0]!.getFirstPropertyValue("x-organizer-note")).toBe("bring slides");
    // A copy with an instance the Organizer moved: a client that sends the master alone gets the override back.
    const copy = ITIP.weeklyInstanceMoved.replace(/\r?\n/g, "\r\n");
    expect(ridsOf(copy)).toHaveLength(2);
    const lines = copy.split("\r\n");
    const second = lines.indexOf("BEGIN:VEVENT", lines.indexOf("BEGIN:VEVENT") + 1);
    const masterOnly = [...lines.slice(0, second), ...lines.slice(lines.indexOf("END:VEVENT", second) + 1)].join("\r\n");
    expect(ridsOf(masterOnly)).toHaveLength(1);
    const repaired = plan(copy, masterOnly, BERNARD);
    expect(ridsOf(repaired.text!), "the moved instance is back").toHaveLength(2);
    expect(repaired.messages, "nothing was answered").toEqual([]);
  });

  it("refuses an override that moves an instance, and removing an EXDATE", () => {
    const moved = edit(ITIP.b7BernardDeclinesInstance, ["DTSTART;TZID=America/Montreal:20090602T150000", "DTSTART;TZID=America/Montreal:20090602T170000"],
      ["DTEND;TZID=America/Montreal:20090602T160000", "DTEND;TZID=America/Montreal:20090602T180000"]);
    expectPrecondition(() => plan(ITIP.b7BernardCopy, moved, BERNARD), "allowed-attendee-scheduling-object-change");
    expectPrecondition(() => plan(ITIP.b8BernardRemovesInstance, ITIP.b7BernardDeclinesInstance, BERNARD), "allowed-attendee-scheduling-object-change");
  });

  it("accepts the same DTSTART written in another TZID form", () => {
    const next = edit(ITIP.b3WilfredoAccepts, ["DTSTART:20090602T160000Z", "DTSTART;TZID=Europe/Paris:20090602T180000"]);
    expect(plan(ITIP.b3WilfredoAccepts, next, WILFREDO).messages).toEqual([]);
  });
});
