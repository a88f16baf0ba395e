// Automatic replies of ROOM and RESOURCE principals (calendar-user-type,
// RFC 6638 §2.4.2; behaviour as in Apple's CalendarServer): ACCEPTED when
// every instance is free, DECLINED otherwise, with the REPLY planned as for an
// Attendee (§3.2.2.3).
import { describe, expect, it } from "vitest";
import { parseItip } from "../../../src/core/schedule/itip.js";
import { autoReply, autoSchedule } from "../../../src/core/schedule/room.js";
import { ITIP } from "./fixtures.js";
import { CYRUS, edit, eventsOf, methodOf, partstatOf } from "./helpers.js";

const ROOM = "mailto:room-a@example.com";
const NOW = Date.UTC(2025, 0, 1);
const H = 3_600_000;
const slot = Date.UTC(2025, 2, 10, 10);

describe("autoReply", () => {
  const request = parseItip(ITIP.roomRequest);

  it("accepts a free slot and declines a busy one", () => {
    expect(autoReply({ request, busy: [], recipient: ROOM, now: NOW })).toBe("ACCEPTED");
    expect(autoReply({ request, busy: [{ start: slot + H / 2, end: slot + 2 * H }], recipient: ROOM, now: NOW })).toBe("DECLINED");
    expect(autoReply({ request, busy: [{ start: slot + H, end: slot + 2 * H }], recipient: ROOM, now: NOW })).toBe("ACCEPTED"); // adjacent
    expect(autoReply({ request, busy: (s, e) => s < slot + H && e > slot, now: NOW })).toBe("DECLINED");
  });

  it("checks every instance of a recurring booking up to the horizon", () => {
    const weekly = parseItip(edit(ITIP.roomRequest, ["DTEND:20250310T110000Z", "DTEND:20250310T110000Z\nRRULE:FREQ=WEEKLY"]));
    const busyIn = (weeks: number) => [{ start: slot + weeks * 7 * 24 * H, end: slot + weeks * 7 * 24 * H + H }];
    expect(autoReply({ request: weekly, busy: busyIn(30), now: NOW })).toBe("DECLINED");
    expect(autoReply({ request: weekly, busy: busyIn(30), now: NOW, horizonMs: 10 * 7 * 24 * H })).toBe("ACCEPTED");
    expect(autoReply({ request: weekly, busy: [{ start: slot - 7 * 24 * H, end: slot - 7 * 24 * H + H }], now: NOW })).toBe("ACCEPTED");
  });
});

describe("autoSchedule", () => {
  it("stores the room's copy with its answer and sends the REPLY to the Organizer", () => {
    const r = autoSchedule({ existing: null, message: parseItip(ITIP.roomRequest), recipient: ROOM, busy: [], now: NOW })!;
    expect([r.created, r.partstat]).toEqual([true, "ACCEPTED"]);
    expect(partstatOf(eventsOf(r.text)[0]!, ROOM)).toBe("ACCEPTED");
    expect(r.messages.map((m) => [m.method, m.originator, m.recipient])).toEqual([["REPLY", ROOM, CYRUS]]);
    expect(methodOf(r.messages[0]!.body)).toBe("REPLY");
    expect(partstatOf(eventsOf(r.messages[0]!.body)[0]!, ROOM)).toBe("ACCEPTED");
  });

  it("declines a busy slot, and does nothing for a message it already processed", () => {
    const busy = [{ start: slot, end: slot + H }];
    const r = autoSchedule({ existing: null, message: parseItip(ITIP.roomRequest), recipient: ROOM, busy, now: NOW })!;
    expect(r.partstat).toBe("DECLINED");
    expect(partstatOf(eventsOf(r.messages[0]!.body)[0]!, ROOM)).toBe("DECLINED");
    expect(autoSchedule({ existing: r.text, message: parseItip(ITIP.roomRequest), recipient: ROOM, busy, now: NOW })).toBeNull();
  });
});
