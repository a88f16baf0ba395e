// RSVP links (core/imip/rsvp.ts): signed, expiring claims, and the REPLY a
// confirmed answer sends (RFC 5546 §3.2.3), readable by the iTIP parser.
import { describe, expect, it } from "vitest";
import { checkRsvp, rsvpReply, signRsvp } from "../../../src/core/imip/rsvp.js";
import { parseItip } from "../../../src/core/schedule/itip.js";

const claim = { id: "m1", uid: "u;1,x@example.com", attendee: "MAILTO:Guest@Elsewhere.test", organizer: "mailto:olivia@example.com" };
const now = Date.UTC(2026, 11, 7);

describe("RSVP links", () => {
  it("round-trips a claim, addresses normalized", async () => {
    const t = await signRsvp("k", claim, now);
    const r = await checkRsvp("k", t, now);
    expect(r).toMatchObject({ ok: true, claim: { id: "m1", uid: claim.uid, attendee: "mailto:guest@elsewhere.test" } });
  });
  it("refuses an altered or foreign token, and an expired one", async () => {
    const t = await signRsvp("k", claim, now, 1000);
    const [p, m] = t.split(".");
    const forged = btoa(JSON.stringify({ ...claim, attendee: "mailto:mallory@evil.example", exp: now + 1e9 })).replace(/=+$/, "");
    expect(await checkRsvp("k", `${forged}.${m}`, now)).toEqual({ ok: false, why: "invalid" });
    expect(await checkRsvp("other", t, now)).toEqual({ ok: false, why: "invalid" });
    expect(await checkRsvp("k", `${p}`, now)).toEqual({ ok: false, why: "invalid" });
    expect(await checkRsvp("k", "%%%.***", now)).toEqual({ ok: false, why: "invalid" });
    expect(await checkRsvp("k", t, now + 2000)).toEqual({ ok: false, why: "expired" });
  });
  it("builds a REPLY from the organizer's copy", () => {
    const copy = [
      "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//x//EN", "BEGIN:VEVENT", "UID:u\\;1\\,x@example.com", "DTSTAMP:20261207T090000Z", "SEQUENCE:3",
      "DTSTART:20270115T090000Z", "SUMMARY:Review", "ORGANIZER:mailto:olivia@example.com", "ATTENDEE;CN=\"Guest; Dear\":mailto:guest@elsewhere.test",
      "END:VEVENT", "END:VCALENDAR", "",
    ].join("\r\n");
    const m = parseItip(rsvpReply(copy, claim.attendee, "TENTATIVE", now));
    expect(m).toMatchObject({ method: "REPLY", uid: "u;1,x@example.com", sequence: 3, organizer: "mailto:olivia@example.com" });
    expect(m.components[0]!.attendees).toEqual([expect.objectContaining({ address: "mailto:guest@elsewhere.test", partstat: "TENTATIVE" })]);
    expect(() => rsvpReply(copy, "mailto:mallory@evil.example", "ACCEPTED", now)).toThrow(/not invited/);
  });
});
