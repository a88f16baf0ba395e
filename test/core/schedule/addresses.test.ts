// Addresses spelled one way (RFC 3986 §6.2.2.1, RFC 5321 §2.4) and the
// statuses promised when messages are planned (RFC 6638 §3.2.9).
import { describe, expect, it } from "vitest";
import { canonicalAddress, canonicalizeAddresses } from "../../../src/core/schedule/addresses.js";
import { readCal, serialize } from "../../../src/core/schedule/calendar.js";
import { promisedStatuses } from "../../../src/core/schedule/status.js";
import { DavError } from "../../../src/core/errors.js";
import { ITIP } from "./fixtures.js";
import { edit } from "./helpers.js";

describe("canonicalAddress", () => {
  it("lower-cases the scheme, and the domain of a mailto:, and leaves the local part", () => {
    expect(canonicalAddress("MAILTO:Alice.Smith@Example.COM")).toBe("mailto:Alice.Smith@example.com");
    expect(canonicalAddress("Mailto:bob@example.com")).toBe("mailto:bob@example.com");
    expect(canonicalAddress("URN:uuid:ABC-def")).toBe("urn:uuid:ABC-def");
    expect(canonicalAddress("not an address")).toBe("not an address");
  });

  it("rewrites ORGANIZER, ATTENDEE and their address parameters in a copy", () => {
    const text = edit(ITIP.b1OrganizerInvite, ['ORGANIZER;CN="Cyrus Daboo":mailto:cyrus@example.com', 'ORGANIZER;CN="Cyrus Daboo":MAILTO:cyrus@EXAMPLE.com'],
      ["ATTENDEE;CN=\"Mike Douglass\";CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:mike@example.org",
        "ATTENDEE;CN=\"Mike Douglass\";DELEGATED-FROM=\"MAILTO:Bob@Example.org\":MAILTO:mike@Example.org"]);
    const cal = readCal(text, (d) => new DavError(400, { description: d }));
    expect(canonicalizeAddresses(cal)).toBe(true);
    const out = serialize(cal.top);
    expect(out).not.toMatch(/MAILTO:/);
    expect(out.replace(/\r\n /g, "")).toContain('DELEGATED-FROM="mailto:Bob@example.org":mailto:mike@example.org');
    expect(canonicalizeAddresses(readCal(out, (d) => new DavError(400, { description: d }))), "already canonical").toBe(false);
  });
});

describe("promisedStatuses (RFC 6638 §3.2.9)", () => {
  it("promises 1.2 to an address a principal holds and 3.7 to any other, whatever its spelling", () => {
    const holders = { "mailto:bob@example.com": "bob" };
    expect(promisedStatuses(holders, [{ recipient: "MAILTO:Bob@Example.com" }, { recipient: "mailto:eve@elsewhere.example" }])).toEqual({
      "MAILTO:Bob@Example.com": "1.2",
      "mailto:eve@elsewhere.example": "3.7",
    });
  });
});
