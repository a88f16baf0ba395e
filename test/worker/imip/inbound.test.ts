// Inbound iMIP (RFC 6047 §3) through the email() path: replies shaped by
// Apple Mail, Gmail and Outlook update the organizer's copy (RFC 6638 §3.2.9
// SCHEDULE-STATUS 2.0); an outside organizer's REQUEST and CANCEL land in a
// user's inbox and default calendar, their later acceptance goes back out as
// an e-mailed REPLY, and an update keeps their PARTSTAT, alarm and TRANSP;
// a spoofed sender, a bad token and an expired token change nothing.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import apple from "../../fixtures/imip/apple-mail-reply.eml?raw";
import gmail from "../../fixtures/imip/gmail-reply.eml?raw";
import outlook from "../../fixtures/imip/outlook-reply.eml?raw";
import outlookOld from "../../fixtures/imip/outlook-2010-reply-cp1252.eml?raw";
import gmailRequest from "../../fixtures/imip/gmail-request.eml?raw";
import gmailUpdate from "../../fixtures/imip/gmail-request-update.eml?raw";
import gmailCancel from "../../fixtures/imip/gmail-cancel.eml?raw";
import { createUser, dav, type Creds } from "../../helpers/dav-client.js";
import { receive, recorder, withMail } from "../../helpers/mail.js";
import {
  copyName, eventually, getCopy, inboxFor, masterOf, methodOf, organizerStatusOf, ps, ss, sleep, statusOf, waitCopy,
} from "../../helpers/scheduling.js";
import { signReplyToken, TOKEN_TTL_MS } from "../../../src/core/imip/token.js";
import { imipConfig } from "../../../src/mail/config.js";
import { MAX_INBOUND_BYTES } from "../../../src/mail/inbound.js";

vi.setConfig({ testTimeout: 60_000 });

const UID = "6A1F0C4E-1B2D-4B8A-9C33-5E7D2A9F0B11";
const BOB = "mailto:bob.guest@icloud.com";
const CAROL = "mailto:carol.guest@gmail.com";
const DAN = "mailto:dan.guest@outlook.com";
const APPLE_TO = "calendar+aaenh4a4jdv3ptbdmqhhfgpn6heex5q@example.com";
const OUTLOOK_TO = "calendar+aaenh4c35xuwpvliltkjkw5ofnsiknq@example.com";

let olivia: Creds;
const path = "/calendars/olivia/calendar/quartal.ics";

const organizerCopy = [
  "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Apple Inc.//macOS 15.1//EN",
  "BEGIN:VEVENT", `UID:${UID}`, "DTSTAMP:20261207T090000Z", "SEQUENCE:0",
  "DTSTART;TZID=Europe/Berlin:20270115T100000", "DTEND;TZID=Europe/Berlin:20270115T110000",
  "SUMMARY:Quartalsplanung – Café", "LOCATION:Raum 3",
  "ORGANIZER;CN=Olivia:mailto:olivia@example.com",
  "ATTENDEE;CN=Olivia;PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:olivia@example.com",
  `ATTENDEE;CN=Bob Guest;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:${BOB}`,
  `ATTENDEE;CN=Carol Guest;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:${CAROL}`,
  `ATTENDEE;CN=Dan Guest;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:${DAN}`,
  "END:VEVENT", "END:VCALENDAR", "",
].join("\r\n");

beforeAll(async () => {
  olivia = await createUser("olivia", { emails: ["olivia@example.com"], name: "Olivia" });
  const rec = recorder();
  await withMail("olivia", rec, async () => {
    expect((await dav("PUT", path, { as: olivia, body: organizerCopy })).status).toBe(201);
    await eventually(async () => rec.sent.length, (n) => n >= 3, "the three invitations mailed");
  });
});

describe("replies by e-mail update the organizer's copy", () => {
  it("drops a reply from a spoofed sender, with a bad token, or with an expired token, and changes nothing (RFC 6047 §3)", async () => {
    const before = await getCopy(olivia, path);
    const spoofed = await receive(gmail, "mallory@evil.example", "olivia@example.com", env);
    expect(spoofed).toMatchObject({ accepted: false, reason: expect.stringContaining("is not mailto:carol.guest@gmail.com") });
    const forgedFrom = await receive(gmail.replace("From: Carol Guest <carol.guest@gmail.com>", "From: Carol Guest <mallory@evil.example>"), "carol.guest@gmail.com", "olivia@example.com", env);
    expect(forgedFrom.accepted, "the envelope alone is not enough").toBe(false);
    const bad = APPLE_TO.replace("+aaenh4a4", "+aaenh4a5");
    expect(await receive(apple, "mallory@evil.example", bad, env)).toMatchObject({ accepted: false, reason: expect.stringContaining("invalid") });
    // A token for another attendee does not let Bob's reply through.
    expect((await receive(apple, "mallory@evil.example", OUTLOOK_TO, env)).accepted).toBe(false);
    const stale = await signReplyToken((env as { IMIP_SECRET?: string }).IMIP_SECRET!, { uid: UID, attendee: BOB, organizer: "mailto:olivia@example.com" }, Date.now() - TOKEN_TTL_MS - 7_200_000);
    expect(await receive(apple, "mallory@evil.example", `calendar+${stale}@example.com`, env)).toMatchObject({ accepted: false, reason: expect.stringContaining("expired") });
    await sleep(1_000);
    const after = await getCopy(olivia, path);
    expect(after.etag).toBe(before.etag);
    for (const who of [BOB, CAROL, DAN]) expect(ps(after.text, who)).toBe("NEEDS-ACTION");
  });

  it("applies Apple Mail's reply by its token, Gmail's by its sender, Outlook's by its token, and an old Outlook's windows-1252 reply", async () => {
    // Apple: the token is good for Bob whoever relays the message (iCloud's envelope differs from From).
    expect((await receive(apple, "bounces+srs=bob.guest@icloud.com", APPLE_TO, env)).accepted).toBe(true);
    expect((await receive(gmail, "carol.guest@gmail.com", "olivia@example.com", env)).accepted).toBe(true);
    expect((await receive(outlook, "dan.guest@outlook.com", OUTLOOK_TO, env)).accepted).toBe(true);
    const copy = await eventually(() => getCopy(olivia, path), (c) => ps(c.text, BOB) === "ACCEPTED" && ps(c.text, CAROL) === "TENTATIVE" && ps(c.text, DAN) === "DECLINED", "the three replies merged");
    for (const who of [BOB, CAROL, DAN]) expect(ss(copy.text, who), "SCHEDULE-STATUS of a reply (RFC 6638 §3.2.9)").toBe("2.0");
    expect(await inboxFor(olivia, UID), "each reply is kept in the inbox").toHaveLength(3);
    // Dan changes his mind in an older Outlook, in windows-1252, to Olivia's own address: his sender proves it.
    expect((await receive(outlookOld, "dan.guest@outlook.com", "olivia@example.com", env)).accepted).toBe(true);
    await eventually(() => getCopy(olivia, path), (c) => ps(c.text, DAN) === "ACCEPTED", "Dan's later reply");
    // The same mail delivered again is one message.
    expect((await receive(outlookOld, "dan.guest@outlook.com", "olivia@example.com", env)).accepted).toBe(true);
    await sleep(1_000);
    expect(await inboxFor(olivia, UID)).toHaveLength(4);
  });
});

describe("a counter-proposal by e-mail (RFC 5546 §3.2.7)", () => {
  it("lands in the organizer's inbox from its attendee and changes nothing in the copy", async () => {
    const before = await getCopy(olivia, path);
    const inboxBefore = (await inboxFor(olivia, UID)).length;
    const ics = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Apple Inc.//macOS 15.1//EN", "METHOD:COUNTER", "BEGIN:VEVENT", `UID:${UID}`,
      "DTSTAMP:20261207T120000Z", "SEQUENCE:0", "DTSTART:20270115T130000Z", "DTEND:20270115T140000Z", "SUMMARY:Quartalsplanung – Café",
      "ORGANIZER;CN=Olivia:mailto:olivia@example.com", `ATTENDEE;CN=Bob Guest;PARTSTAT=ACCEPTED:${BOB}`, "END:VEVENT", "END:VCALENDAR", ""].join("\r\n");
    const raw = ["From: Bob Guest <bob.guest@icloud.com>", "To: olivia@example.com", "Subject: New Time Proposed", "Message-ID: <counter-1@icloud.com>",
      "MIME-Version: 1.0", "Content-Type: text/calendar; charset=utf-8; method=COUNTER", "", ics].join("\r\n");
    expect((await receive(raw, "mallory@evil.example", "olivia@example.com", env)).accepted, "not from the attendee").toBe(false);
    expect((await receive(raw, "bob.guest@icloud.com", "olivia@example.com", env)).accepted).toBe(true);
    await eventually(() => inboxFor(olivia, UID), (items) => items.length === inboxBefore + 1, "the counter in the inbox");
    expect((await getCopy(olivia, path)).etag, "the organizer decides; the copy is unchanged").toBe(before.etag);
  });
});

describe("what the email() path does not take", () => {
  it("drops a message over the size cap, one without a calendar part, and a PUBLISH, with the reason", async () => {
    const big = apple.replace("Bob Guest has accepted your invitation.", "x".repeat(MAX_INBOUND_BYTES));
    expect(await receive(big, "bob.guest@icloud.com", APPLE_TO, env)).toMatchObject({ accepted: false, reason: expect.stringContaining("limit") });
    const plain = "From: bob.guest@icloud.com\r\nTo: olivia@example.com\r\nSubject: lunch?\r\nMessage-ID: <p1@icloud.com>\r\n\r\nAre we still on?\r\n";
    expect(await receive(plain, "bob.guest@icloud.com", "olivia@example.com", env)).toEqual({ accepted: false, reason: "no text/calendar part" });
    const ics = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//x//EN", "METHOD:PUBLISH", "BEGIN:VEVENT", "UID:pub-1", "DTSTAMP:20261207T100000Z",
      "DTSTART:20270101T100000Z", "ORGANIZER:mailto:erin.organizer@gmail.com", "SUMMARY:Holiday", "END:VEVENT", "END:VCALENDAR", ""].join("\r\n");
    const publish = ["From: erin.organizer@gmail.com", "To: olivia@example.com", "Subject: calendar", "Message-ID: <pub1@gmail.com>",
      "MIME-Version: 1.0", "Content-Type: text/calendar; charset=utf-8; method=PUBLISH", "", ics].join("\r\n");
    expect(await receive(publish, "erin.organizer@gmail.com", "olivia@example.com", env))
      .toEqual({ accepted: false, reason: "METHOD PUBLISH is not taken by e-mail" });
  });

  it("turns outbound e-mail off without a sending address or without the binding", () => {
    expect(imipConfig(env as Env)).not.toBeNull();
    expect(imipConfig({ ...(env as Env), IMIP_FROM: "" })).toBeNull();
    expect(imipConfig({ ...(env as Env), EMAIL: undefined } as unknown as Env)).toBeNull();
  });
});

describe("an outside organizer's invitation by e-mail (RFC 6047 §3, RFC 6638 §4)", () => {
  const G_UID = "5q3v8k2m1n0p9r7s6t4u2w1x0y@google.com";
  const ERIN = "erin.organizer@gmail.com";

  it("lands in the inbox and default calendar; the user's acceptance is mailed back as a REPLY; an update keeps PARTSTAT, alarm and TRANSP; a CANCEL cancels", async () => {
    const lena = await createUser("lena", { emails: ["lena@example.com"], name: "Lena" });
    const copyPath = `/calendars/lena/calendar/${copyName(G_UID)}`;
    expect((await receive(gmailCancel, "mallory@evil.example", "lena@example.com", env)).accepted, "not from the organizer").toBe(false);
    expect((await receive(gmailRequest, ERIN, "nobody@example.com", env)).accepted, "to an address no user holds").toBe(false);

    expect((await receive(gmailRequest, ERIN, "lena@example.com", env)).accepted).toBe(true);
    const first = await waitCopy(lena, copyPath, undefined, "the invitation in lena's calendar");
    expect(ps(first.text, "mailto:lena@example.com")).toBe("NEEDS-ACTION");
    expect(await inboxFor(lena, G_UID)).toHaveLength(1);

    // Lena accepts in her client, with an alarm of her own and as free time.
    const accepted = first.text
      .replace(/PARTSTAT=NEEDS-ACTION(;RSVP=\r?\n? ?TRUE)?(;CN=lena)/i, "PARTSTAT=ACCEPTED$2")
      .replace("TRANSP:OPAQUE", "TRANSP:TRANSPARENT")
      .replace("END:VEVENT", "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:lena's own\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\nEND:VEVENT");
    expect(ps(accepted, "mailto:lena@example.com")).toBe("ACCEPTED");
    const rec = recorder();
    await withMail("lena", rec, async () => {
      expect((await dav("PUT", copyPath, { as: lena, body: accepted, headers: { "If-Match": first.etag! } })).status).toBe(204);
      await eventually(async () => rec.sent.length, (n) => n >= 1, "the REPLY mailed");
    });
    const reply = rec.sent[0]!;
    expect(reply.to).toBe(ERIN);
    expect(reply.method).toBe("REPLY");
    expect(methodOf(reply.calendar)).toBe("REPLY");
    expect(ps(reply.calendar, "mailto:lena@example.com")).toBe("ACCEPTED");
    expect(reply.parsed.subject).toBe("Lena accepted: Kaffee & Pläne");
    expect(organizerStatusOf(masterOf((await getCopy(lena, copyPath)).text)), "sent (RFC 6638 §3.2.9)").toBe("1.1");

    expect((await receive(gmailUpdate, ERIN, "lena@example.com", env)).accepted).toBe(true);
    const updated = await waitCopy(lena, copyPath, (c) => /felix\.guest@gmail\.com/.test(c.text.replace(/\r\n /g, "")), "the update: a guest added");
    expect(ps(updated.text, "mailto:lena@example.com"), "her answer stands").toBe("ACCEPTED");
    expect(updated.text).toContain("TRANSP:TRANSPARENT");
    expect(updated.text).toContain("lena's own");
    expect(updated.text).not.toContain("This is an event reminder");

    expect((await receive(gmailCancel, ERIN, "lena@example.com", env)).accepted).toBe(true);
    const cancelled = await waitCopy(lena, copyPath, (c) => statusOf(masterOf(c.text)) === "CANCELLED", "the cancellation");
    expect(statusOf(masterOf(cancelled.text))).toBe("CANCELLED");
    expect(await inboxFor(lena, G_UID), "request, update and cancel in the inbox").toHaveLength(3);
  });
});
