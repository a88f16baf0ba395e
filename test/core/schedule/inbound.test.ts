// Incoming messages (RFC 6638 §4.1, §4.2; RFC 5546 §2.1.5, §3.2.2, §3.2.3,
// §3.2.5): parsing, ordering, REQUEST and CANCEL applied to an Attendee's
// copy, REPLY applied to the Organizer's copy.
import { describe, expect, it } from "vitest";
import { applyCancel, applyReply, applyRequest, isNewer, parseItip } from "../../../src/core/schedule/inbound.js";
import { planOrganizer } from "../../../src/core/schedule/organizer.js";
import { ITIP } from "./fixtures.js";
import { BERNARD, CYRUS, NOW, WILFREDO, attendeesOf, edit, eventsOf, expectPrecondition, partstatOf, put, ridsOf, stored, to } from "./helpers.js";

const request = (text: string) => parseItip(text);
const newer = (text: string, stamp: string) => edit(text, ["DTSTAMP:20090602T185254Z", `DTSTAMP:${stamp}`]);

describe("parseItip (RFC 5546 §1.4, §3.2)", () => {
  it("reads METHOD, UID, component, ordering and Attendees", () => {
    const m = request(ITIP.b2RequestWilfredo);
    expect([m.method, m.uid, m.component, m.organizer, m.sequence, m.dtstamp]).toEqual(["REQUEST", "9263504FD3AD", "VEVENT", CYRUS, 0, "20090602T185254Z"]);
    expect(m.components.map((c) => c.rid)).toEqual([""]);
    expect(m.components[0]!.attendees.map((a) => a.address)).toContain(WILFREDO);
  });

  it("refuses junk, a missing METHOD, two UIDs, and a REPLY naming two Attendees", () => {
    expectPrecondition(() => parseItip("hello"), "valid-calendar-data", 400);
    expectPrecondition(() => parseItip(ITIP.b1OrganizerInvite), "valid-scheduling-message", 400);
    const twoUids = edit(ITIP.b7ReplyDeclinedInstance, ["END:VCALENDAR", "BEGIN:VEVENT\nUID:other\nDTSTAMP:20090603T183823Z\nORGANIZER:mailto:cyrus@example.com\nEND:VEVENT\nEND:VCALENDAR"]);
    expectPrecondition(() => parseItip(twoUids), "valid-scheduling-message", 400);
    const two = edit(ITIP.b4ReplyWilfredo, ["REQUEST-STATUS:2.0;Success", "ATTENDEE:mailto:bernard@example.net"]);
    expectPrecondition(() => parseItip(two), "valid-scheduling-message", 400);
  });

  it("orders by SEQUENCE, then DTSTAMP (§2.1.5)", () => {
    expect(isNewer({ sequence: 1, dtstamp: "20000101T000000Z" }, { sequence: 0, dtstamp: "20250101T000000Z" })).toBe(true);
    expect(isNewer({ sequence: 0, dtstamp: "20250101T000001Z" }, { sequence: 0, dtstamp: "20250101T000000Z" })).toBe(true);
    expect(isNewer({ sequence: 0, dtstamp: "20250101T000000Z" }, { sequence: 0, dtstamp: "20250101T000000Z" })).toBe(false);
  });
});

describe("applyRequest (RFC 6638 §4.1, Appendix B.2)", () => {
  const created = applyRequest({ existing: null, message: request(ITIP.b2RequestWilfredo), recipient: WILFREDO, now: NOW })!;

  it("creates the Attendee's copy: the message without METHOD, PARTSTAT as sent", () => {
    expect(created.created).toBe(true);
    expect(created.text).not.toContain("METHOD");
    expect(partstatOf(eventsOf(created.text)[0]!, WILFREDO)).toBe("NEEDS-ACTION");
    expect(() => put(created.text)).not.toThrow();
  });

  it("ignores the same message twice, and an older one after a newer one (RFC 5546 §2.1.5)", () => {
    expect(applyRequest({ existing: created.text, message: request(ITIP.b2RequestWilfredo), recipient: WILFREDO })).toBeNull();
    const moved = edit(newer(ITIP.b2RequestWilfredo, "20090603T000000Z"), ["SEQUENCE:0", "SEQUENCE:1"], ["DTSTART:20090602T160000Z", "DTSTART:20090602T170000Z"], ["DTEND:20090602T170000Z", "DTEND:20090602T180000Z"]);
    const after = applyRequest({ existing: created.text, message: request(moved), recipient: WILFREDO })!;
    expect(applyRequest({ existing: after.text, message: request(newer(ITIP.b2RequestWilfredo, "20090604T000000Z")), recipient: WILFREDO })).toBeNull();
  });

  it("keeps the Attendee's PARTSTAT, VALARMs and TRANSP through an update that is not significant", () => {
    const own = edit(ITIP.b3WilfredoAccepts, ["TRANSP:OPAQUE", "TRANSP:TRANSPARENT"]);
    const update = edit(newer(ITIP.b2RequestWilfredo, "20090603T000000Z"), ["END:VEVENT", "ATTENDEE:mailto:lisa@example.com\nEND:VEVENT"]);
    const r = applyRequest({ existing: own, message: request(update), recipient: WILFREDO })!;
    const event = eventsOf(r.text)[0]!;
    expect(partstatOf(event, WILFREDO)).toBe("ACCEPTED");
    expect(event.getFirstSubcomponent("valarm")).not.toBeNull();
    expect(event.getFirstPropertyValue("transp")).toBe("TRANSPARENT");
    expect(attendeesOf(event)).toContain("mailto:lisa@example.com");
    expect(r.partstatOnly).toBe(false);
  });

  it("reports an update carrying only other Attendees' PARTSTAT (Schedule-Tag unchanged, RFC 6638 §3.2.10)", () => {
    const bLine = "ATTENDEE;CN=\"Bernard Desruisseaux\";CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:bernard@example.net";
    const update = edit(newer(ITIP.b2RequestWilfredo, "20090603T000000Z"), [bLine, bLine.replace("NEEDS-ACTION", "ACCEPTED")]);
    expect(applyRequest({ existing: ITIP.b3WilfredoAccepts, message: request(update), recipient: WILFREDO })!.partstatOnly).toBe(true);
  });

  it("takes the Organizer's PARTSTAT after a reschedule, with the new times (RFC 6638 §3.2.8)", () => {
    const moved = edit(newer(ITIP.b2RequestWilfredo, "20090603T000000Z"), ["SEQUENCE:0", "SEQUENCE:1"], ["DTSTART:20090602T160000Z", "DTSTART:20090602T170000Z"], ["DTEND:20090602T170000Z", "DTEND:20090602T180000Z"]);
    const event = eventsOf(applyRequest({ existing: ITIP.b3WilfredoAccepts, message: request(moved), recipient: WILFREDO })!.text)[0]!;
    expect(partstatOf(event, WILFREDO)).toBe("NEEDS-ACTION");
    expect(event.getFirstProperty("dtstart")!.toICALString()).toBe("DTSTART:20090602T170000Z");
    expect(event.getFirstSubcomponent("valarm")).not.toBeNull();
  });

  it("updates only the instances of a REQUEST that carries overrides only", () => {
    const moved = planOrganizer({ old: stored(ITIP.weeklyOrganizer), next: put(ITIP.weeklyInstanceMoved), ownerAddresses: [CYRUS], now: NOW });
    const copy = applyRequest({ existing: null, message: request(planOrganizer({ old: null, next: put(ITIP.weeklyOrganizer), ownerAddresses: [CYRUS], now: NOW - 1000 }).messages.find((m) => m.recipient === BERNARD)!.body), recipient: BERNARD })!;
    const accepted = copy.text.replace("PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bernard@example.net", "PARTSTAT=ACCEPTED;RSVP=TRUE:mailto:bernard@example.net");
    expect(accepted).not.toBe(copy.text);
    const r = applyRequest({ existing: accepted, message: request(to(moved.messages, BERNARD)[0]!.body), recipient: BERNARD })!;
    expect(ridsOf(r.text)).toEqual(["", "2025-01-13T10:00:00"]);
    expect(r.recurrenceIds).toEqual(["20250113T090000Z"]);
    expect(partstatOf(eventsOf(r.text)[0]!, BERNARD)).toBe("ACCEPTED");
    expect(partstatOf(eventsOf(r.text)[1]!, BERNARD)).toBe("NEEDS-ACTION");
  });
});

describe("applyRequest with the Attendee's own overrides (RFC 6638 §3.2.2.1 items 8, 11)", () => {
  const organize = (old: string | null, next: string, now: number) => planOrganizer({ old: old ? stored(old) : null, next: put(next), ownerAddresses: [CYRUS], now });
  const copyOf = (plan: ReturnType<typeof organize>, existing: string | null) =>
    applyRequest({ existing, message: request(to(plan.messages, BERNARD)[0]!.body), recipient: BERNARD })!.text;

  it("keeps an override the Attendee made to decline one instance through a full REQUEST", () => {
    const copy = copyOf(organize(null, ITIP.weeklyOrganizer, NOW - 2000), null);
    const declinedOne = copy.replace("END:VCALENDAR", [
      "BEGIN:VEVENT", "UID:weekly-1", "SEQUENCE:0", "DTSTAMP:20250101T090000Z", "RECURRENCE-ID;TZID=Europe/Berlin:20250120T100000",
      "DTSTART;TZID=Europe/Berlin:20250120T100000", "DTEND;TZID=Europe/Berlin:20250120T110000", "SUMMARY:Weekly sync", "LOCATION:Room 1",
      "ORGANIZER;CN=Cyrus:mailto:cyrus@example.com", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:cyrus@example.com",
      "ATTENDEE;PARTSTAT=DECLINED;RSVP=TRUE:mailto:bernard@example.net", "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:wilfredo@example.com",
      "END:VEVENT", "END:VCALENDAR"].join("\r\n"));
    const forced = edit(ITIP.weeklyOrganizer, ["ATTENDEE;PARTSTAT=ACCEPTED;RSVP=TRUE:mailto:bernard@example.net", "ATTENDEE;SCHEDULE-FORCE-SEND=REQUEST;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bernard@example.net"]);
    const r = applyRequest({ existing: declinedOne, message: request(to(organize(ITIP.weeklyOrganizer, forced, NOW).messages, BERNARD)[0]!.body), recipient: BERNARD })!;
    expect(ridsOf(r.text)).toEqual(["", "2025-01-20T10:00:00"]);
    expect(partstatOf(eventsOf(r.text)[1]!, BERNARD)).toBe("DECLINED");
  });

  it("drops an override the Organizer removed (a moved instance put back)", () => {
    const moved = copyOf(organize(null, ITIP.weeklyInstanceMoved, NOW - 2000), null);
    expect(ridsOf(moved)).toEqual(["", "2025-01-13T10:00:00"]);
    const reverted = copyOf(organize(ITIP.weeklyInstanceMoved, ITIP.weeklyOrganizer, NOW), moved);
    expect(ridsOf(reverted)).toEqual([""]);
  });
});

describe("applyCancel (RFC 5546 §3.2.5)", () => {
  const copy = applyRequest({ existing: null, message: request(ITIP.b2RequestWilfredo), recipient: WILFREDO })!.text;
  const cancel = planOrganizer({ old: stored(ITIP.b1OrganizerInvite), next: null, ownerAddresses: [CYRUS], now: NOW });

  it("marks the whole copy STATUS:CANCELLED and keeps it; a second delivery changes nothing", () => {
    const r = applyCancel({ existing: copy, message: request(to(cancel.messages, WILFREDO)[0]!.body), recipient: WILFREDO })!;
    expect(eventsOf(r.text)[0]!.getFirstPropertyValue("status")).toBe("CANCELLED");
    expect(applyCancel({ existing: r.text, message: request(to(cancel.messages, WILFREDO)[0]!.body), recipient: WILFREDO })).toBeNull();
    expect(applyCancel({ existing: null, message: request(to(cancel.messages, WILFREDO)[0]!.body), recipient: WILFREDO })).toBeNull();
  });

  it("cancels one instance as a cancelled override, which older REQUESTs cannot revive", () => {
    const invite = planOrganizer({ old: null, next: put(ITIP.weeklyOrganizer), ownerAddresses: [CYRUS], now: NOW - 1000 });
    const bernardCopy = applyRequest({ existing: null, message: request(to(invite.messages, BERNARD)[0]!.body), recipient: BERNARD })!.text;
    const cancelOne = planOrganizer({ old: stored(ITIP.weeklyOrganizer), next: put(ITIP.weeklyInstanceCancelled), ownerAddresses: [CYRUS], now: NOW });
    const r = applyCancel({ existing: bernardCopy, message: request(to(cancelOne.messages, BERNARD)[0]!.body), recipient: BERNARD })!;
    expect(r.recurrenceIds).toEqual(["20250113T090000Z"]);
    const instance = eventsOf(r.text)[1]!;
    expect(instance.getFirstPropertyValue("status")).toBe("CANCELLED");
    expect(instance.getFirstProperty("recurrence-id")!.toICALString()).toBe("RECURRENCE-ID;TZID=Europe/Berlin:20250113T100000");
    expect(applyRequest({ existing: r.text, message: request(to(invite.messages, BERNARD)[0]!.body), recipient: BERNARD })).toBeNull();
  });
});

describe("applyReply (RFC 6638 §4.2, Appendix B.4, B.7)", () => {
  const reply = request(ITIP.b4ReplyWilfredo);
  const r = applyReply({ existing: ITIP.b1OrganizerInvite, message: reply })!;

  it("sets the Attendee's PARTSTAT and SCHEDULE-STATUS from REQUEST-STATUS (2.0)", () => {
    expect([r.attendee, r.changed, r.recurrenceIds]).toEqual([WILFREDO, true, [""]]);
    const prop = eventsOf(r.text)[0]!.getAllProperties("attendee").find((p) => String(p.getFirstValue()) === WILFREDO)!;
    expect(prop.getParameter("partstat")).toBe("ACCEPTED");
    expect(prop.getParameter("schedule-status")).toBe("2.0");
  });

  it("ignores the same reply twice, an older reply, a reply to an older SEQUENCE and one from a non-Attendee", () => {
    // The order of replies is remembered beside the copy (the home's index), not in it.
    expect(r.text).not.toMatch(/X-EDGE-CALDAV/i);
    const stamps = (rid: string, attendee: string) => r.stamps.find((x) => x.rid === rid && attendee === r.attendee)?.stamp;
    expect(applyReply({ existing: r.text, message: reply, stamps })).toBeNull();
    const older = edit(ITIP.b4ReplyWilfredo, ["DTSTAMP:20090602T185754Z", "DTSTAMP:20090602T185000Z"], ["ATTENDEE;CN=\"Wilfredo Sanchez Vega\";PARTSTAT=ACCEPTED:mailto:wilfredo@example.com", "ATTENDEE;PARTSTAT=DECLINED:mailto:wilfredo@example.com"]);
    expect(applyReply({ existing: r.text, message: request(older), stamps })).toBeNull();
    const bumped = edit(ITIP.b1OrganizerInvite, ["SEQUENCE:0", "SEQUENCE:2"]);
    expect(applyReply({ existing: bumped, message: reply })).toBeNull();
    const stranger = edit(ITIP.b4ReplyWilfredo, ["ATTENDEE;CN=\"Wilfredo Sanchez Vega\";PARTSTAT=ACCEPTED:mailto:wilfredo@example.com", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:eve@example.com"]);
    expect(applyReply({ existing: ITIP.b1OrganizerInvite, message: request(stranger) })).toBeNull();
  });

  it("applies every component of a reply that accepts the series and declines one instance (RFC 5546 §3.2.3)", () => {
    const organizerCopy = ITIP.b7BernardCopy;
    const both = edit(ITIP.b7ReplyDeclinedInstance, ["BEGIN:VEVENT", [
      "BEGIN:VEVENT", "UID:9263504FD3AD", "SEQUENCE:0", "DTSTAMP:20090603T183823Z", "DTSTART;TZID=America/Montreal:20090601T150000",
      "DTEND;TZID=America/Montreal:20090601T160000", "RRULE:FREQ=DAILY;INTERVAL=1;COUNT=5", "SUMMARY:Review Internet-Draft",
      'ORGANIZER;CN="Cyrus Daboo":mailto:cyrus@example.com', 'ATTENDEE;CN="Bernard Desruisseaux";PARTSTAT=ACCEPTED:mailto:bernard@example.net',
      "REQUEST-STATUS:2.0;Success", "END:VEVENT", "BEGIN:VEVENT"].join("\n")]);
    const out = applyReply({ existing: organizerCopy, message: request(both) })!;
    expect(out.recurrenceIds.sort()).toEqual(["", "20090602T190000Z"]);
    const [master, instance] = eventsOf(out.text);
    expect(partstatOf(master!, BERNARD), "the series").toBe("ACCEPTED");
    expect(partstatOf(instance!, BERNARD), "the declined instance, an override made from the master").toBe("DECLINED");
    expect(out.stamps.map((x) => x.rid).sort()).toEqual(["", "20090602T190000Z"]);
  });

  it("creates an override from the master for a reply to an instance without one (B.7)", () => {
    const organizerCopy = edit(ITIP.b7BernardCopy, ["ATTENDEE;CN=\"Bernard Desruisseaux\";CUTYPE=INDIVIDUAL;PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:bernard@example.net",
      "ATTENDEE;CN=\"Bernard Desruisseaux\";PARTSTAT=ACCEPTED;RSVP=TRUE:mailto:bernard@example.net"]);
    const out = applyReply({ existing: organizerCopy, message: request(ITIP.b7ReplyDeclinedInstance) })!;
    expect(out.recurrenceIds).toEqual(["20090602T190000Z"]);
    const [master, instance] = eventsOf(out.text);
    expect(partstatOf(master!, BERNARD)).toBe("ACCEPTED");
    expect(partstatOf(instance!, BERNARD)).toBe("DECLINED");
    expect(instance!.getFirstProperty("dtstart")!.toICALString()).toBe("DTSTART;TZID=America/Montreal:20090602T150000");
    expect(instance!.hasProperty("rrule")).toBe(false);
    expect(() => put(out.text)).not.toThrow();
  });
});
