// End to end, as the server runs it (RFC 6638 Appendix B.1-B.4): the
// Organizer invites, each message is applied to the Attendee's copy, an
// Attendee accepts, the REPLY is applied to the Organizer's copy, and the
// other Attendees are told (§4.2), the Organizer's next write sends nothing;
// a reschedule resets the answers.
import { describe, expect, it } from "vitest";
import { planAttendee } from "../../../src/core/schedule/attendee.js";
import { applyReply, applyRequest, parseItip } from "../../../src/core/schedule/inbound.js";
import { planOrganizer, planRefresh } from "../../../src/core/schedule/organizer.js";
import { setScheduleStatus } from "../../../src/core/schedule/status.js";
import { ITIP } from "./fixtures.js";
import { BERNARD, CYRUS, NOW, WILFREDO, edit, eventsOf, partstatOf, put, stored, summary, to, withPartstat } from "./helpers.js";

describe("invite, accept, merge, reschedule (RFC 6638 Appendix B)", () => {
  const invite = planOrganizer({ old: null, next: put(ITIP.b1OrganizerInvite), ownerAddresses: [CYRUS], now: NOW });
  let organizerCopy = setScheduleStatus(invite.text!, Object.fromEntries(invite.messages.map((m) => [m.recipient, "1.2"])));
  const wilfredoCopy = applyRequest({ existing: null, message: parseItip(to(invite.messages, WILFREDO)[0]!.body), recipient: WILFREDO, now: NOW })!.text;

  it("delivers the invitation and records delivery (SCHEDULE-STATUS 1.2, §3.2.9)", () => {
    expect(organizerCopy).toContain("SCHEDULE-STATUS=1.2");
    expect(partstatOf(eventsOf(wilfredoCopy)[0]!, WILFREDO)).toBe("NEEDS-ACTION");
  });

  it("merges the Attendee's acceptance into the Organizer's copy, and the Organizer's rewrite sends nothing", () => {
    const accepted = withPartstat(wilfredoCopy, WILFREDO, "ACCEPTED");
    const reply = planAttendee({ old: stored(wilfredoCopy), next: put(accepted), attendeeAddress: WILFREDO, now: NOW + 60_000 });
    expect(summary(reply.messages)).toEqual([`REPLY ${CYRUS}`]);
    const merged = applyReply({ existing: organizerCopy, message: parseItip(reply.messages[0]!.body) })!;
    expect(merged.changed).toBe(true);
    organizerCopy = merged.text;
    expect(partstatOf(eventsOf(organizerCopy)[0]!, WILFREDO)).toBe("ACCEPTED");
    // RFC 6638 §4.2: the other Attendees hear of the new status; for them it is a participation-only update.
    const refresh = planRefresh({ text: organizerCopy, replier: WILFREDO, recurrenceIds: merged.recurrenceIds, ownerAddresses: [CYRUS], now: NOW + 90_000 });
    expect(summary(refresh)).toEqual([`REQUEST ${BERNARD}`, "REQUEST mailto:mike@example.org"]);
    const bernardCopy = applyRequest({ existing: null, message: parseItip(to(invite.messages, BERNARD)[0]!.body), recipient: BERNARD })!.text;
    const refreshed = applyRequest({ existing: bernardCopy, message: parseItip(to(refresh, BERNARD)[0]!.body), recipient: BERNARD })!;
    expect(refreshed.partstatOnly).toBe(true);
    expect(partstatOf(eventsOf(refreshed.text)[0]!, WILFREDO)).toBe("ACCEPTED");
    const rewrite = planOrganizer({ old: stored(organizerCopy), next: put(edit(organizerCopy, ["TRIGGER:-PT15M", "TRIGGER:-PT20M"])), ownerAddresses: [CYRUS], now: NOW + 120_000 });
    expect(rewrite.messages).toEqual([]);

    const moved = edit(organizerCopy, ["DTSTART:20090602T160000Z", "DTSTART:20090602T190000Z"], ["DTEND:20090602T170000Z", "DTEND:20090602T200000Z"]);
    const reschedule = planOrganizer({ old: stored(organizerCopy), next: put(moved), ownerAddresses: [CYRUS], now: NOW + 180_000 });
    expect(summary(reschedule.messages)).toEqual([`REQUEST ${BERNARD}`, "REQUEST mailto:mike@example.org", `REQUEST ${WILFREDO}`]);
    expect(partstatOf(eventsOf(reschedule.text!)[0]!, WILFREDO)).toBe("NEEDS-ACTION");
    for (const m of reschedule.messages) expect(m.body).not.toMatch(/SCHEDULE-STATUS|X-EDGE-CALDAV/);
    const updated = applyRequest({ existing: accepted, message: parseItip(to(reschedule.messages, WILFREDO)[0]!.body), recipient: WILFREDO, now: NOW })!;
    const event = eventsOf(updated.text)[0]!;
    expect(partstatOf(event, WILFREDO)).toBe("NEEDS-ACTION");
    expect(event.getFirstProperty("dtstart")!.toICALString()).toBe("DTSTART:20090602T190000Z");
    expect(event.getFirstPropertyValue("sequence")).toBe(1);
  });
});
