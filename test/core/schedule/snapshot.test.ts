// Scheduling snapshots and roles (RFC 6638 §3.1, §3.2.4.2, §7.1), and the
// change keys behind "significant" (RFC 5546 §2.1.4, RFC 6638 §3.2.8).
import { describe, expect, it } from "vitest";
import { parseCalendarObject } from "../../../src/core/ical/parse.js";
import { roleOf, snapshotOf } from "../../../src/core/schedule/snapshot.js";
import { ITIP } from "./fixtures.js";
import { BERNARD, CYRUS, MIKE, WILFREDO, edit, expectPrecondition, snap } from "./helpers.js";

describe("snapshotOf", () => {
  it("records organizer, attendees with PARTSTAT and SCHEDULE-AGENT, sequence and DTSTAMP", () => {
    const s = snap(ITIP.b4OrganizerAfterReply);
    expect([s.uid, s.component, s.organizer]).toEqual(["9263504FD3AD", "VEVENT", CYRUS]);
    const [i] = s.instances;
    expect([i!.rid, i!.sequence, i!.dtstamp, i!.cancelled]).toEqual(["", 0, "20090602T190420Z", false]);
    expect(i!.attendees.map((a) => [a.address, a.partstat, a.scheduleAgent])).toEqual([
      [CYRUS, "ACCEPTED", "SERVER"], [WILFREDO, "ACCEPTED", "SERVER"], [BERNARD, "NEEDS-ACTION", "SERVER"], [MIKE, "NEEDS-ACTION", "SERVER"],
    ]);
    expect(i!.attendees[1]).toMatchObject({ role: "REQ-PARTICIPANT", rsvp: true, cutype: "INDIVIDUAL" });
    expect(JSON.parse(JSON.stringify(s))).toEqual(s); // structured-cloneable plain data
  });

  it("keys overrides by RECURRENCE-ID in UTC and lists EXDATEs on the master", () => {
    const s = snap(ITIP.b8BernardRemovesInstance);
    expect(s.instances.map((i) => i.rid)).toEqual(["", "20090602T190000Z"]);
    expect(s.instances[0]!.exdates).toEqual(["20090603T190000Z"]);
    expect(s.instances[1]!.start).toBe("20090602T190000Z");
  });

  it("is null without ORGANIZER, and treats unknown SCHEDULE-AGENT values as NONE (§7.1)", () => {
    expect(snapshotOf(parseCalendarObject(edit(ITIP.b3WilfredoAccepts, ["ORGANIZER;CN=\"Cyrus Daboo\":mailto:cyrus@example.com", null])))).toBeNull();
    const x = edit(ITIP.b3WilfredoAccepts, ["ATTENDEE;CN=\"Mike Douglass\";CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:mike@example.org", "ATTENDEE;SCHEDULE-AGENT=X-ROBOT:mailto:mike@example.org"]);
    expect(snap(x).instances[0]!.attendees.find((a) => a.address === MIKE)!.scheduleAgent).toBe("NONE");
  });

  it("gives the same significant key for the same times in another TZID form, another for a new time or SUMMARY", () => {
    const base = snap(ITIP.b3WilfredoAccepts).instances[0]!;
    const paris = snap(edit(ITIP.b3WilfredoAccepts, ["DTSTART:20090602T160000Z", "DTSTART;TZID=Europe/Paris:20090602T180000"], ["DTEND:20090602T170000Z", "DURATION:PT1H"])).instances[0]!;
    expect(paris.significant).toBe(base.significant);
    expect(snap(edit(ITIP.b3WilfredoAccepts, ["DTEND:20090602T170000Z", "DTEND:20090602T173000Z"])).instances[0]!.timing).not.toBe(base.timing);
    const renamed = snap(edit(ITIP.b3WilfredoAccepts, ["SUMMARY:Lunch", "SUMMARY:Brunch"])).instances[0]!;
    expect([renamed.timing === base.timing, renamed.significant === base.significant]).toEqual([true, false]);
    expect(snap(edit(ITIP.b3WilfredoAccepts, ["TRIGGER:-PT15M", "TRIGGER:-PT1M"])).instances[0]!.significant).toBe(base.significant);
    const weekly = snap(ITIP.weeklyOrganizer).instances[0]!;
    const spelled = snap(edit(ITIP.weeklyOrganizer, ["RRULE:FREQ=WEEKLY;COUNT=10", "RRULE:WKST=MO;COUNT=10;INTERVAL=1;FREQ=WEEKLY"])).instances[0]!;
    expect(spelled.significant).toBe(weekly.significant);
    expect(snap(edit(ITIP.weeklyOrganizer, ["RRULE:FREQ=WEEKLY;COUNT=10", "RRULE:FREQ=WEEKLY;COUNT=11"])).instances[0]!.timing).not.toBe(weekly.timing);
  });

  it("refuses different ORGANIZERs or ORGANIZER SCHEDULE-AGENTs across components (same-organizer-in-all-components, §3.2.4.2)", () => {
    const other = ITIP.b7BernardDeclinesInstance.replace(/(RECURRENCE-ID[\s\S]*?)ORGANIZER;CN="Cyrus Daboo":mailto:cyrus@example.com/, "$1ORGANIZER:mailto:wilfredo@example.com");
    expectPrecondition(() => snap(other), "same-organizer-in-all-components");
    const agent = ITIP.b7BernardDeclinesInstance.replace(/(RECURRENCE-ID[\s\S]*?)ORGANIZER;CN="Cyrus Daboo"/, "$1ORGANIZER;SCHEDULE-AGENT=CLIENT");
    expectPrecondition(() => snap(agent), "same-organizer-in-all-components");
  });
});

describe("roleOf (RFC 6638 §3.1)", () => {
  const s = snap(ITIP.b1OrganizerInvite);
  it("is organizer for any of the owner's addresses, attendee when listed, else none", () => {
    expect(roleOf(s, ["mailto:Cyrus@Example.com"])).toBe("organizer");
    expect(roleOf(s, ["mailto:w@example.com", WILFREDO])).toBe("attendee");
    expect(roleOf(s, ["mailto:lisa@example.com"])).toBe("none");
    expect(roleOf(null, [CYRUS])).toBe("none");
  });
});
