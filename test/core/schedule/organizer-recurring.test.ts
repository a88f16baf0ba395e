// Organizer changes to recurring events, per instance (RFC 6638 §3.2.1.2,
// §3.2.6; RFC 5546 §3.2.2 and §3.2.5): one instance moved (REQUEST with that
// override only) and cancelled (CANCEL with its RECURRENCE-ID), an EXDATE
// added, the whole series cancelled, Attendees excluded from or invited to
// one instance only.
import { describe, expect, it } from "vitest";
import { planOrganizer } from "../../../src/core/schedule/organizer.js";
import { ITIP } from "./fixtures.js";
import { BERNARD, CYRUS, NOW, WILFREDO, attendeesOf, edit, eventsOf, methodOf, put, ridsOf, stored, summary, to } from "./helpers.js";

const plan = (old: string | null, next: string | null) =>
  planOrganizer({ old: old ? stored(old) : null, next: next ? put(next) : null, ownerAddresses: [CYRUS], now: NOW });
const RID = "20250113T090000Z"; // 10:00 Europe/Berlin
const override = (rid: string, ...lines: string[]) =>
  ["BEGIN:VEVENT", "UID:weekly-1", "SEQUENCE:0", "DTSTAMP:20250101T090000Z", `RECURRENCE-ID;TZID=Europe/Berlin:${rid}`,
    `DTSTART;TZID=Europe/Berlin:${rid}`, `DTEND;TZID=Europe/Berlin:${rid.replace("T10", "T11")}`, "SUMMARY:Weekly sync", "LOCATION:Room 1",
    "ORGANIZER;CN=Cyrus:mailto:cyrus@example.com", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:cyrus@example.com", ...lines, "END:VEVENT"].join("\n");
const withOverride = (text: string, comp: string) => edit(text, ["END:VCALENDAR", `${comp}\nEND:VCALENDAR`]);

describe("one instance of a weekly meeting (RFC 6638 §3.2.1.2 per instance)", () => {
  it("moved: REQUEST with only that override to its Attendees (RFC 5546 §3.2.2)", () => {
    const r = plan(ITIP.weeklyOrganizer, ITIP.weeklyInstanceMoved);
    expect(summary(r.messages)).toEqual([`REQUEST ${BERNARD}`, `REQUEST ${WILFREDO}`]);
    for (const m of r.messages) {
      expect(m.recurrenceIds).toEqual([RID]);
      expect(ridsOf(m.body)).toEqual(["2025-01-13T10:00:00"]);
      expect(m.body).toContain("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin");
      expect(m.sequence).toBe(1);
    }
  });

  it("then cancelled: CANCEL with that RECURRENCE-ID and a raised SEQUENCE (RFC 5546 §3.2.5)", () => {
    const next = edit(ITIP.weeklyInstanceMoved, ["DTSTART;TZID=Europe/Berlin:20250113T140000", "DTSTART;TZID=Europe/Berlin:20250113T140000\nSTATUS:CANCELLED"]);
    const r = plan(ITIP.weeklyInstanceMoved, next);
    expect(summary(r.messages)).toEqual([`CANCEL ${BERNARD}`, `CANCEL ${WILFREDO}`]);
    const event = eventsOf(to(r.messages, BERNARD)[0]!.body)[0]!;
    expect(event.getFirstPropertyValue("status")).toBe("CANCELLED");
    expect(event.getFirstProperty("recurrence-id")!.toICALString()).toBe("RECURRENCE-ID;TZID=Europe/Berlin:20250113T100000");
    expect(event.getFirstPropertyValue("sequence")).toBe(2);
    expect(eventsOf(r.text!)[1]!.getFirstPropertyValue("sequence")).toBe(2);
  });

  it("removed with an EXDATE: CANCEL for that instance, derived from the master", () => {
    const r = plan(ITIP.weeklyOrganizer, ITIP.weeklyInstanceCancelled);
    expect(summary(r.messages)).toEqual([`CANCEL ${BERNARD}`, `CANCEL ${WILFREDO}`]);
    const m = to(r.messages, WILFREDO)[0]!;
    expect(m.recurrenceIds).toEqual([RID]);
    const event = eventsOf(m.body)[0]!;
    expect(event.getFirstProperty("dtstart")!.toICALString()).toBe("DTSTART;TZID=Europe/Berlin:20250113T100000");
    expect(event.getFirstProperty("dtend")!.toICALString()).toBe("DTEND;TZID=Europe/Berlin:20250113T110000");
    expect(event.hasProperty("rrule")).toBe(false);
    expect(eventsOf(r.text!)[0]!.getFirstPropertyValue("sequence")).toBe(1);
  });

  it("reverted (override removed): the whole set again, as the instance cannot be sent alone", () => {
    const r = plan(ITIP.weeklyInstanceMoved, ITIP.weeklyOrganizer);
    expect(summary(r.messages)).toEqual([`REQUEST ${BERNARD}`, `REQUEST ${WILFREDO}`]);
    expect(ridsOf(r.messages[0]!.body)).toEqual([""]);
  });

  it("an override with the master's data (the Organizer's own alarm on one instance) sends nothing", () => {
    const next = withOverride(ITIP.weeklyOrganizer, override("20250120T100000", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:bernard@example.net",
      "ATTENDEE;PARTSTAT=TENTATIVE:mailto:wilfredo@example.com", "BEGIN:VALARM", "TRIGGER:-PT1H", "ACTION:DISPLAY", "DESCRIPTION:x", "END:VALARM"));
    expect(plan(ITIP.weeklyOrganizer, next).messages).toEqual([]);
  });

  it("an override holding a reply merged by the server is written back without messages", () => {
    const merged = withOverride(ITIP.weeklyOrganizer, override("20250120T100000", "ATTENDEE;PARTSTAT=DECLINED;SCHEDULE-STATUS=2.0:mailto:bernard@example.net",
      "ATTENDEE;PARTSTAT=TENTATIVE:mailto:wilfredo@example.com"));
    expect(plan(merged, edit(merged, ["TRIGGER:-PT5M", "TRIGGER:-PT10M"])).messages).toEqual([]);
  });
});

describe("the whole series cancelled (RFC 5546 §3.2.5)", () => {
  it("sends a CANCEL for the whole event to everybody, once", () => {
    const r = plan(ITIP.weeklyOrganizer, ITIP.weeklySeriesCancelled);
    expect(summary(r.messages)).toEqual([`CANCEL ${BERNARD}`, `CANCEL ${WILFREDO}`]);
    expect(r.messages[0]!.recurrenceIds).toEqual([""]);
    expect(methodOf(r.messages[0]!.body)).toBe("CANCEL");
    expect(plan(ITIP.weeklySeriesCancelled, edit(ITIP.weeklySeriesCancelled, ["LOCATION:Room 1", "LOCATION:Room 2"])).messages).toEqual([]);
  });
});

describe("Attendees of some instances only (RFC 6638 §3.2.6)", () => {
  const excluded = withOverride(ITIP.weeklyOrganizer, override("20250120T100000", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:bernard@example.net"));

  it("an Attendee excluded from one instance gets a CANCEL for it, the others nothing", () => {
    const r = plan(ITIP.weeklyOrganizer, excluded);
    expect(summary(r.messages)).toEqual([`CANCEL ${WILFREDO}`]);
    expect(r.messages[0]!.recurrenceIds).toEqual(["20250120T090000Z"]);
  });

  it("later REQUESTs carry an EXDATE for that instance instead of its override", () => {
    const next = edit(excluded, ["LOCATION:Room 1", "LOCATION:Room 2"]);
    const r = plan(excluded, next);
    expect(summary(r.messages)).toEqual([`REQUEST ${BERNARD}`, `REQUEST ${WILFREDO}`]);
    const forWilfredo = to(r.messages, WILFREDO)[0]!.body;
    expect(ridsOf(forWilfredo)).toEqual([""]);
    expect(forWilfredo).toContain("EXDATE;TZID=Europe/Berlin:20250120T100000");
    expect(ridsOf(to(r.messages, BERNARD)[0]!.body)).toEqual(["", "2025-01-20T10:00:00"]);
  });

  it("an Attendee invited to one instance only gets that override, without the series", () => {
    const next = withOverride(ITIP.weeklyOrganizer, override("20250127T100000", "ATTENDEE:mailto:bernard@example.net", "ATTENDEE:mailto:wilfredo@example.com", "ATTENDEE;RSVP=TRUE:mailto:lisa@example.com"));
    const r = plan(ITIP.weeklyOrganizer, next);
    expect(summary(r.messages)).toEqual(["REQUEST mailto:lisa@example.com"]);
    expect(ridsOf(r.messages[0]!.body)).toEqual(["2025-01-27T10:00:00"]);
    expect(attendeesOf(eventsOf(r.messages[0]!.body)[0]!)).toContain("mailto:lisa@example.com");
    const dropped = plan(next, ITIP.weeklyOrganizer);
    expect(summary(dropped.messages)).toEqual(["CANCEL mailto:lisa@example.com"]);
    expect(dropped.messages[0]!.recurrenceIds).toEqual(["20250127T090000Z"]);
  });
});
