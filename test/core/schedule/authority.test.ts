// Who may change a copy with an incoming message (RFC 6638 §4, RFC 5546
// §6.1), and what an Attendee may change in their own copy (RFC 6638
// §3.2.2.1): the pure rules behind test/worker/hostile/takeover.test.ts.
import { describe, expect, it } from "vitest";
import { checkAuthority } from "../../../src/core/schedule/authority.js";
import { answersForInvited, attendeesOf } from "../../../src/core/schedule/calendar.js";
import { badRequest } from "../../../src/core/errors.js";
import { parseItip } from "../../../src/core/schedule/inbound.js";
import { planAttendee } from "../../../src/core/schedule/attendee.js";
import { ITIP } from "./fixtures.js";
import { BERNARD, CYRUS, MIKE, NOW, WILFREDO, edit, expectPrecondition, put, stored } from "./helpers.js";

const request = parseItip(ITIP.b2RequestWilfredo);
const reply = parseItip(ITIP.b4ReplyWilfredo);
const MALLORY = "mailto:mallory@example.com";
const fail = (d: string) => badRequest(d);
/** The text unfolded, with every `from` address replaced by `to`. */
const swap = (text: string, from: string, to: string) => text.replace(/\r?\n[ \t]/g, "").split(from).join(to);

describe("checkAuthority: REQUEST and CANCEL come from the copy's Organizer (RFC 6638 §4.1, RFC 5546 §6.1)", () => {
  const base = { message: request, recipient: [WILFREDO] };

  it("accepts a first invitation from whoever organizes it, and updates from the same Organizer", () => {
    expect(checkAuthority({ ...base, sender: [CYRUS], copyOrganizer: undefined }).ok).toBe(true);
    expect(checkAuthority({ ...base, sender: [CYRUS], copyOrganizer: CYRUS }).ok).toBe(true);
    expect(checkAuthority({ ...base, sender: ["MAILTO:Cyrus@Example.com"], copyOrganizer: "mailto:CYRUS@example.com" }).ok, "addresses compare normalized").toBe(true);
  });

  it("refuses with 3.8 a sender who is not the message's ORGANIZER", () => {
    const verdict = checkAuthority({ ...base, sender: [MALLORY], copyOrganizer: undefined });
    expect(verdict).toMatchObject({ ok: false, status: "3.8" });
  });

  it("refuses a message whose ORGANIZER is the sender's when the copy is someone else's, or has no ORGANIZER", () => {
    const forged = parseItip(edit(ITIP.b2RequestWilfredo, ['ORGANIZER;CN="Cyrus Daboo":mailto:cyrus@example.com', `ORGANIZER:${MALLORY}`]));
    expect(checkAuthority({ message: forged, recipient: [WILFREDO], sender: [MALLORY], copyOrganizer: CYRUS })).toMatchObject({ ok: false, status: "3.8" });
    expect(checkAuthority({ message: forged, recipient: [WILFREDO], sender: [MALLORY], copyOrganizer: null })).toMatchObject({ ok: false, status: "3.8" });
    expect(checkAuthority({ message: forged, recipient: [WILFREDO], sender: [MALLORY], copyOrganizer: WILFREDO }), "the recipient's own meeting").toMatchObject({ ok: false });
  });

  it("accepts an Organizer who moved to another of their own addresses", () => {
    expect(checkAuthority({ ...base, sender: ["mailto:c2@example.com", CYRUS], copyOrganizer: "mailto:c2@example.com" }).ok).toBe(true);
  });
});

describe("checkAuthority: a REPLY answers for its sender, to the Organizer of the copy (RFC 6638 §4.2)", () => {
  it("accepts the Attendee's own answer to the Organizer's copy", () => {
    expect(checkAuthority({ message: reply, sender: [WILFREDO], recipient: [CYRUS], copyOrganizer: CYRUS }).ok).toBe(true);
  });

  it("refuses an answer in another Attendee's name, to an event the recipient does not have, or does not organize", () => {
    expect(checkAuthority({ message: reply, sender: [BERNARD], recipient: [CYRUS], copyOrganizer: CYRUS })).toMatchObject({ ok: false, status: "3.8" });
    expect(checkAuthority({ message: reply, sender: [WILFREDO], recipient: [CYRUS], copyOrganizer: undefined })).toMatchObject({ ok: false, status: "3.8" });
    expect(checkAuthority({ message: reply, sender: [WILFREDO], recipient: [CYRUS], copyOrganizer: BERNARD })).toMatchObject({ ok: false });
  });
});

describe("checkAuthority: a COUNTER comes from one of its Attendees, to the Organizer of the copy (RFC 5546 §3.2.7)", () => {
  const counter = parseItip(ITIP.b2RequestWilfredo.replace("METHOD:REQUEST", "METHOD:COUNTER"));

  it("accepts a listed Attendee's counter to the Organizer's copy, and refuses anyone else's", () => {
    expect(checkAuthority({ message: counter, sender: [WILFREDO], recipient: [CYRUS], copyOrganizer: CYRUS }).ok).toBe(true);
    expect(checkAuthority({ message: counter, sender: [MALLORY], recipient: [CYRUS], copyOrganizer: CYRUS })).toMatchObject({ ok: false, status: "3.8" });
    expect(checkAuthority({ message: counter, sender: [WILFREDO], recipient: [CYRUS], copyOrganizer: BERNARD })).toMatchObject({ ok: false });
  });
});

describe("checkAuthority: an answer comes from someone the copy invited (RFC 5546 §3.2.3, §3.2.7)", () => {
  // The Organizer's copy as the recipient's home holds it (RFC 6638 Appendix B.1), asked through `attends`.
  const copy = ITIP.b1OrganizerInvite;
  const attends = (text: string, message = reply) => (address: string) => answersForInvited(attendeesOf(text, fail), message.text, address, fail);

  it("accepts an invited Attendee's REPLY and COUNTER, and refuses a stranger's that names the UID", () => {
    expect(checkAuthority({ message: reply, sender: [WILFREDO], recipient: [CYRUS], copyOrganizer: CYRUS, attends: attends(copy) }).ok).toBe(true);
    const strangers = parseItip(swap(ITIP.b4ReplyWilfredo, "mailto:wilfredo@example.com", MALLORY));
    expect(checkAuthority({ message: strangers, sender: [MALLORY], recipient: [CYRUS], copyOrganizer: CYRUS, attends: attends(copy, strangers) }))
      .toMatchObject({ ok: false, status: "3.8", reason: expect.stringContaining("not an attendee") });
    const counter = parseItip(swap(ITIP.b2RequestWilfredo.replace("METHOD:REQUEST", "METHOD:COUNTER"), "mailto:wilfredo@example.com", MALLORY));
    expect(checkAuthority({ message: counter, sender: [MALLORY], recipient: [CYRUS], copyOrganizer: CYRUS, attends: attends(copy, counter) })).toMatchObject({ ok: false });
  });

  it("accepts a delegate's REPLY (RFC 5546 §3.2.2.3) when it names an invited Attendee as DELEGATED-FROM", () => {
    const DELEGATE = "mailto:delegate@example.com";
    const delegated = parseItip(swap(ITIP.b4ReplyWilfredo, "mailto:wilfredo@example.com", DELEGATE).replace(/^ATTENDEE([;:])/m, `ATTENDEE;DELEGATED-FROM="${WILFREDO}"$1`));
    expect(checkAuthority({ message: delegated, sender: [DELEGATE], recipient: [CYRUS], copyOrganizer: CYRUS, attends: attends(copy, delegated) }).ok).toBe(true);
    const fromStranger = parseItip(swap(ITIP.b4ReplyWilfredo, "mailto:wilfredo@example.com", DELEGATE).replace(/^ATTENDEE([;:])/m, `ATTENDEE;DELEGATED-FROM="${MALLORY}"$1`));
    expect(checkAuthority({ message: fromStranger, sender: [DELEGATE], recipient: [CYRUS], copyOrganizer: CYRUS, attends: attends(copy, fromStranger) }).ok).toBe(false);
  });
});

describe("an Attendee's own copy (RFC 6638 §3.2.2.1, §3.2.4.4)", () => {
  const copy = ITIP.b3WilfredoAccepts;
  const plan = (next: string) => () => planAttendee({ old: stored(copy), next: put(next), attendeeAddress: WILFREDO, now: NOW });
  const bernard = (params: string) =>
    edit(copy, ['ATTENDEE;CN="Bernard Desruisseaux";CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:bernard@example.net', `ATTENDEE${params}:mailto:bernard@example.net`]);

  it("refuses a change of ORGANIZER", () => {
    expectPrecondition(plan(edit(copy, ['ORGANIZER;CN="Cyrus Daboo":mailto:cyrus@example.com', `ORGANIZER:${WILFREDO}`])), "allowed-attendee-scheduling-object-change");
  });

  it("refuses a change of another Attendee's PARTSTAT, ROLE, CUTYPE or CN", () => {
    for (const params of [
      ';CN="Bernard Desruisseaux";CUTYPE=INDIVIDUAL;PARTSTAT=DECLINED;ROLE=REQ-PARTICIPANT;RSVP=TRUE',
      ';CN="Bernard Desruisseaux";CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;ROLE=NON-PARTICIPANT;RSVP=TRUE',
      ';CN="Bernard Desruisseaux";CUTYPE=ROOM;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE',
      ';CN="Not Bernard";CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE',
    ]) {
      const message = expectPrecondition(plan(bernard(params)), "allowed-attendee-scheduling-object-change");
      expect(message).toContain("mailto:bernard@example.net");
    }
  });

  it("accepts what only spells the same: defaults written out or left out, case, RSVP, dropped CN", () => {
    expect(() => plan(bernard(";cutype=individual;PARTSTAT=needs-action;RSVP=FALSE"))()).not.toThrow();
    expect(() => plan(bernard(""))()).not.toThrow();
    const mike = edit(copy, ['ATTENDEE;CN="Mike Douglass";CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:mike@example.org', `ATTENDEE;ROLE=REQ-PARTICIPANT:${MIKE}`]);
    expect(() => plan(mike)()).not.toThrow();
  });

  it("leaves the Attendee's own line to them", () => {
    const own = edit(copy, ['ATTENDEE;CN="Wilfredo Sanchez Vega";CUTYPE=INDIVIDUAL;PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:wilfredo@example.com', `ATTENDEE;CN=Fred;PARTSTAT=TENTATIVE:${WILFREDO}`]);
    expect(plan(own)().messages).toHaveLength(1);
  });
});
