// Organizer changes (RFC 6638 §3.2.1; RFC 5546 §3.2.2, §3.2.5), modelled on
// RFC 6638 Appendix B.1/B.2: invitations, reschedules, added and removed
// Attendees, alarms-only edits, SCHEDULE-AGENT and SCHEDULE-FORCE-SEND, and
// the Organizer preconditions (§3.2.4.2, §3.2.4.3).
import { describe, expect, it } from "vitest";
import { planOrganizer } from "../../../src/core/schedule/organizer.js";
import { ITIP } from "./fixtures.js";
import { BERNARD, CYRUS, MIKE, NOW, NOW_STAMP, WILFREDO, attendeesOf, comparable, edit, eventsOf, expectPrecondition, methodOf, partstatOf, put, stored, summary, to } from "./helpers.js";

const owner = [CYRUS];
const plan = (old: string | null, next: string | null) =>
  planOrganizer({ old: old ? stored(old) : null, next: next ? put(next) : null, ownerAddresses: owner, now: NOW });
const after = ITIP.b4OrganizerAfterReply;

describe("an Organizer creating an event (RFC 6638 §3.2.1.1, Appendix B.1)", () => {
  const result = plan(null, ITIP.b1OrganizerInvite);

  it("sends a REQUEST to every Attendee but the Organizer (§3.2.1, RFC 5546 §3.2.2)", () => {
    expect(summary(result.messages)).toEqual([`REQUEST ${BERNARD}`, `REQUEST ${MIKE}`, `REQUEST ${WILFREDO}`]);
    for (const m of result.messages) {
      expect(m.originator).toBe(CYRUS);
      expect(m.uid).toBe("9263504FD3AD");
      expect(m.sequence).toBe(0);
      expect(m.dtstamp).toBe(NOW_STAMP);
      expect(m.recurrenceIds).toEqual([""]);
    }
  });

  it("sends the body of Appendix B.2: METHOD:REQUEST, all Attendees, without the Organizer's VALARM", () => {
    const body = to(result.messages, WILFREDO)[0]!.body;
    expect(comparable(body)).toEqual(comparable(ITIP.b2RequestWilfredo));
    expect(body).toContain("\r\nMETHOD:REQUEST\r\n");
    expect(body).not.toContain("VALARM");
    expect(body).toContain(`DTSTAMP:${NOW_STAMP}`);
  });

  it("stores the body unchanged when the client already did everything right", () => {
    expect(result.rewritten).toBe(false);
    expect(result.text).toBe(ITIP.b1OrganizerInvite);
    expect(result.snapshot?.organizer).toBe(CYRUS);
  });

  it("strips SCHEDULE-STATUS, SCHEDULE-AGENT and SCHEDULE-FORCE-SEND from the messages (§7.1-§7.3)", () => {
    const text = edit(ITIP.b1OrganizerInvite, ["ATTENDEE;CN=\"Mike Douglass\";CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:mike@example.org",
      "ATTENDEE;CN=\"Mike Douglass\";SCHEDULE-STATUS=3.7;SCHEDULE-AGENT=SERVER;SCHEDULE-FORCE-SEND=REQUEST;PARTSTAT=NEEDS-ACTION:mailto:mike@example.org"]);
    for (const m of plan(null, text).messages) expect(m.body).not.toMatch(/SCHEDULE-(STATUS|AGENT|FORCE-SEND)/);
  });

  it("resets a forged PARTSTAT of a new Attendee to NEEDS-ACTION in the stored copy (§3.2.1)", () => {
    const text = edit(ITIP.b1OrganizerInvite, ["ATTENDEE;CN=\"Mike Douglass\";CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:mike@example.org",
      "ATTENDEE;PARTSTAT=ACCEPTED:mailto:mike@example.org"]);
    const r = plan(null, text);
    expect(r.rewritten).toBe(true);
    expect(partstatOf(eventsOf(r.text!)[0]!, MIKE)).toBe("NEEDS-ACTION");
    expect(partstatOf(eventsOf(to(r.messages, MIKE)[0]!.body)[0]!, MIKE)).toBe("NEEDS-ACTION");
  });
});

describe("an Organizer modifying an event (RFC 6638 §3.2.1.2)", () => {
  it("sends nothing when only an alarm changed (not significant, RFC 5546 §2.1.4)", () => {
    const next = edit(after, ["TRIGGER:-PT15M", "TRIGGER:-PT30M"], ["DESCRIPTION:Cyrus's own reminder", "DESCRIPTION:earlier"]);
    expect(plan(after, next).messages).toEqual([]);
  });

  it("sends nothing for an X- property or a PARTSTAT merged from a reply", () => {
    // The stored copy already holds the merged reply (RFC 6638 §3.2.10.1): the client writes it back.
    expect(plan(after, after).messages).toEqual([]);
    expect(plan(after, edit(after, ["SUMMARY:Lunch", "SUMMARY:Lunch\nX-APPLE-TRAVEL-DURATION:PT15M"])).messages).toEqual([]);
  });

  it("reschedules: REQUEST to all, SEQUENCE raised and PARTSTAT reset to NEEDS-ACTION (§3.2.5, §3.2.8)", () => {
    const next = edit(after, ["DTSTART:20090602T160000Z", "DTSTART:20090602T170000Z"], ["DTEND:20090602T170000Z", "DTEND:20090602T180000Z"]);
    const r = plan(after, next);
    expect(summary(r.messages)).toEqual([`REQUEST ${BERNARD}`, `REQUEST ${MIKE}`, `REQUEST ${WILFREDO}`]);
    expect(r.rewritten).toBe(true);
    const event = eventsOf(r.text!)[0]!;
    expect(event.getFirstPropertyValue("sequence")).toBe(1);
    expect(partstatOf(event, WILFREDO)).toBe("NEEDS-ACTION");
    expect(partstatOf(event, CYRUS)).toBe("ACCEPTED"); // the Organizer's own is kept
    const sent = eventsOf(to(r.messages, WILFREDO)[0]!.body)[0]!;
    expect(sent.getFirstPropertyValue("sequence")).toBe(1);
    expect(partstatOf(sent, WILFREDO)).toBe("NEEDS-ACTION");
    expect(to(r.messages, WILFREDO)[0]!.sequence).toBe(1);
  });

  it("treats the same time in another TZID form as no change", () => {
    const next = edit(after, ["DTSTART:20090602T160000Z", "DTSTART;TZID=Europe/Berlin:20090602T180000"], ["DTEND:20090602T170000Z", "DTEND;TZID=Europe/Berlin:20090602T190000"]);
    expect(plan(after, next).messages).toEqual([]);
  });

  it("sends a REQUEST only to an added Attendee (others learn of them with the next significant change)", () => {
    const next = edit(after, ["ATTENDEE;CN=\"Mike Douglass\";CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;SCHEDULE-STATUS=3.7:mailto:mike@example.org",
      "ATTENDEE;CN=\"Mike Douglass\";CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;SCHEDULE-STATUS=3.7:mailto:mike@example.org\nATTENDEE;RSVP=TRUE:mailto:lisa@example.com"]);
    const r = plan(after, next);
    expect(summary(r.messages)).toEqual(["REQUEST mailto:lisa@example.com"]);
    expect(attendeesOf(eventsOf(r.messages[0]!.body)[0]!)).toContain("mailto:lisa@example.com");
  });

  it("sends a CANCEL to a removed Attendee (§3.2.1.2 table: SERVER → removed)", () => {
    const next = edit(after, ["ATTENDEE;CN=\"Bernard Desruisseaux\";CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE;SCHEDULE-STATUS=1.2:mailto:bernard@example.net", null]);
    const r = plan(after, next);
    expect(summary(r.messages)).toEqual([`CANCEL ${BERNARD}`]);
    const body = r.messages[0]!.body;
    expect(methodOf(body)).toBe("CANCEL");
    const event = eventsOf(body)[0]!;
    expect(event.getFirstPropertyValue("status")).toBe("CANCELLED");
    expect(attendeesOf(event)).toEqual([BERNARD]);
    expect(r.messages[0]!.recurrenceIds).toEqual([""]);
  });

  it("sends a CANCEL when an Attendee becomes SCHEDULE-AGENT=CLIENT, and nothing to CLIENT or NONE Attendees (§3.2.1.2, §7.1)", () => {
    const bernardLine = "ATTENDEE;CN=\"Bernard Desruisseaux\";CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE;SCHEDULE-STATUS=1.2:mailto:bernard@example.net";
    const client = edit(after, [bernardLine, "ATTENDEE;SCHEDULE-AGENT=CLIENT;PARTSTAT=NEEDS-ACTION:mailto:bernard@example.net"]);
    expect(summary(plan(after, client).messages)).toEqual([`CANCEL ${BERNARD}`]);
    const moved = edit(client, ["DTSTART:20090602T160000Z", "DTSTART:20090602T170000Z"], ["DTEND:20090602T170000Z", "DTEND:20090602T180000Z"]);
    expect(summary(plan(client, moved).messages)).toEqual([`REQUEST ${MIKE}`, `REQUEST ${WILFREDO}`]);
    const invite = edit(ITIP.b1OrganizerInvite, ["ATTENDEE;CN=\"Mike Douglass\";CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:mike@example.org", "ATTENDEE;SCHEDULE-AGENT=NONE:mailto:mike@example.org"]);
    expect(to(plan(null, invite).messages, MIKE)).toEqual([]);
  });

  it("sends a REQUEST for SCHEDULE-FORCE-SEND=REQUEST and does not store the parameter (§3.2.7, §7.2)", () => {
    const line = "ATTENDEE;CN=\"Mike Douglass\";CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;SCHEDULE-STATUS=3.7:mailto:mike@example.org";
    const r = plan(after, edit(after, [line, line.replace("ATTENDEE;", "ATTENDEE;SCHEDULE-FORCE-SEND=REQUEST;")]));
    expect(summary(r.messages)).toEqual([`REQUEST ${MIKE}`]);
    expect(r.text).not.toContain("SCHEDULE-FORCE-SEND");
    const odd = plan(after, edit(after, [line, line.replace("ATTENDEE;", "ATTENDEE;SCHEDULE-FORCE-SEND=X-PING;")]));
    expect(odd.messages).toEqual([]);
    expect(odd.statuses).toEqual({ [MIKE]: "2.3" });
  });

  it("refuses an Organizer setting another Attendee's PARTSTAT (allowed-organizer-scheduling-object-change, §3.2.4.3)", () => {
    const line = "ATTENDEE;CN=\"Bernard Desruisseaux\";CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE;SCHEDULE-STATUS=1.2:mailto:bernard@example.net";
    expectPrecondition(() => plan(after, edit(after, [line, line.replace("NEEDS-ACTION", "ACCEPTED")])), "allowed-organizer-scheduling-object-change");
    // ...but resetting it to NEEDS-ACTION is allowed (§3.2.8)
    const w = "ATTENDEE;CN=\"Wilfredo Sanchez Vega\";CUTYPE=INDIVIDUAL;PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT;RSVP=TRUE;SCHEDULE-STATUS=2.0:mailto:wilfredo@example.com";
    expect(() => plan(after, edit(after, [w, w.replace("ACCEPTED", "NEEDS-ACTION")]))).not.toThrow();
  });

  it("refuses a change of ORGANIZER to someone else (§3.2.4.3; replacing the Organizer is out of scope, §1)", () => {
    const next = edit(after, ["ORGANIZER;CN=\"Cyrus Daboo\":mailto:cyrus@example.com", "ORGANIZER:mailto:bernard@example.net"]);
    expectPrecondition(() => plan(after, next), "allowed-organizer-scheduling-object-change");
  });

  it("refuses components with different ORGANIZERs (same-organizer-in-all-components, §3.2.4.2)", () => {
    const override = ["BEGIN:VEVENT", "UID:weekly-1", "DTSTAMP:20250101T090000Z", "RECURRENCE-ID;TZID=Europe/Berlin:20250113T100000",
      "DTSTART;TZID=Europe/Berlin:20250113T100000", "ORGANIZER:mailto:bernard@example.net", "ATTENDEE:mailto:cyrus@example.com", "END:VEVENT"].join("\n");
    const text = edit(ITIP.weeklyOrganizer, ["END:VCALENDAR", `${override}\nEND:VCALENDAR`]);
    expectPrecondition(() => plan(null, text), "same-organizer-in-all-components");
  });
});

describe("an Organizer removing an event (RFC 6638 §3.2.1.3)", () => {
  it("sends a CANCEL to every Attendee on DELETE, built from the old body when known", () => {
    const r = plan(after, null);
    expect(summary(r.messages)).toEqual([`CANCEL ${BERNARD}`, `CANCEL ${MIKE}`, `CANCEL ${WILFREDO}`]);
    expect(r.text).toBeNull();
    expect(eventsOf(r.messages[0]!.body)[0]!.getFirstPropertyValue("summary")).toBe("Lunch");
    const minimal = planOrganizer({ old: { snapshot: stored(after).snapshot }, next: null, ownerAddresses: owner, now: NOW });
    expect(summary(minimal.messages)).toEqual(summary(r.messages));
    expect(eventsOf(minimal.messages[0]!.body)[0]!.getFirstPropertyValue("uid")).toBe("9263504FD3AD");
  });

  it("sends CANCELs when the ORGANIZER is removed (scheduling object → calendar object, §3.2.3.1)", () => {
    const plain = edit(after, ["ORGANIZER;CN=\"Cyrus Daboo\":mailto:cyrus@example.com", null]);
    expect(summary(plan(after, plain).messages)).toEqual([`CANCEL ${BERNARD}`, `CANCEL ${MIKE}`, `CANCEL ${WILFREDO}`]);
  });
});
