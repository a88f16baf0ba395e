// The pure agenda and invitation model (src/core/agenda): which copies wait
// for the person's answer (RFC 6638 §3.2.2), the answer set on their own
// ATTENDEE line only, and the day layout of instances in a timezone.
import { describe, expect, it } from "vitest";
import { DavError } from "../../../src/core/errors.js";
import { agendaWindow, layoutDays, parseDate, type AgendaItem } from "../../../src/core/agenda/agenda.js";
import { pendingIn, withAnswer } from "../../../src/core/agenda/answer.js";
import { ianaTimezone } from "../../../src/core/ical/timezones.js";
import { ITIP } from "../schedule/fixtures.js";
import { BERNARD, CYRUS, snap, WILFREDO } from "../schedule/helpers.js";
import { partstats } from "./helpers.js";

describe("pending invitations and answers (RFC 6638 §3.2.2)", () => {
  it("waits for an attendee with NEEDS-ACTION, never for the organizer", () => {
    const s = snap(ITIP.b1OrganizerInvite);
    expect(pendingIn(s, [WILFREDO])).toEqual({ address: WILFREDO, rids: [""] });
    expect(pendingIn(s, [CYRUS]), "the organizer answers nothing").toBeNull();
    expect(pendingIn(s, ["mailto:nobody@example.com"])).toBeNull();
  });

  it("sets the person's PARTSTAT and nobody else's; an answered copy waits no more", () => {
    const answered = withAnswer(ITIP.b1OrganizerInvite, WILFREDO, "TENTATIVE");
    expect(partstats(answered)).toEqual({ [CYRUS]: "ACCEPTED", [WILFREDO]: "TENTATIVE", [BERNARD]: "NEEDS-ACTION", "mailto:mike@example.org": "NEEDS-ACTION" });
    expect(pendingIn(snap(answered), [WILFREDO])).toBeNull();
    expect(pendingIn(snap(answered), [BERNARD])).toEqual({ address: BERNARD, rids: [""] });
  });

  it("refuses to answer for someone not listed (403)", () => {
    expect(() => withAnswer(ITIP.b1OrganizerInvite, "mailto:nobody@example.com", "ACCEPTED")).toThrow(DavError);
  });
});

describe("the day layout", () => {
  const zone = ianaTimezone("Europe/Berlin")!;
  const window = agendaWindow(parseDate("2025-03-29")!, 3, zone);
  const at = (iso: string) => Date.parse(iso);
  const item = (summary: string, start: string, end: string, allDay = false, dates?: [string, string]): AgendaItem => ({
    start: at(start), end: at(end), startLocal: dates?.[0] ?? "", endLocal: dates?.[1] ?? "", allDay, summary, location: "", status: "", partstat: null,
    calendar: { name: "calendar", displayName: "Calendar", color: null }, href: "/x", uid: summary, recurrenceId: null,
  });

  it("bounds the window by local midnights, also on the day of the change to summer time", () => {
    expect(window.dates).toEqual(["2025-03-29", "2025-03-30", "2025-03-31"]);
    expect(new Date(window.start).toISOString()).toBe("2025-03-28T23:00:00.000Z");
    expect(new Date(window.end).toISOString()).toBe("2025-03-31T22:00:00.000Z");
  });

  it("puts an item on every day it overlaps, an instant at midnight on its own day, all-day items first", () => {
    const days = layoutDays(window, [
      item("overnight", "2025-03-29T21:00:00Z", "2025-03-30T01:00:00Z"),
      item("midnight reminder", "2025-03-30T22:00:00Z", "2025-03-30T22:00:00Z"),
      item("trip", "2025-03-29T23:00:00Z", "2025-03-31T22:00:00Z", true, ["2025-03-30", "2025-04-01"]),
    ], zone);
    expect(days.map((d) => [d.date, d.items.map((i) => i.summary)])).toEqual([
      ["2025-03-29", ["overnight"]],
      ["2025-03-30", ["trip", "overnight"]],
      ["2025-03-31", ["trip", "midnight reminder"]],
    ]);
  });

  it("reads only real dates", () => {
    expect(parseDate("2025-02-29")).toBeNull();
    expect(parseDate("2024-02-29")?.toString()).toBe("2024-02-29");
    expect(parseDate("2025-3-1")).toBeNull();
  });
});
