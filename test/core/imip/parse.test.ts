// Replies and invitations as Apple Mail, Gmail and Outlook shape them (RFC
// 6047 §2.4): the text/calendar part is found inline or attached, in base64
// or quoted-printable, in UTF-8 or windows-1252, and read as an iTIP message.
import { describe, expect, it } from "vitest";
import apple from "../../fixtures/imip/apple-mail-reply.eml?raw";
import gmail from "../../fixtures/imip/gmail-reply.eml?raw";
import outlook from "../../fixtures/imip/outlook-reply.eml?raw";
import outlookOld from "../../fixtures/imip/outlook-2010-reply-cp1252.eml?raw";
import gmailRequest from "../../fixtures/imip/gmail-request.eml?raw";
import gmailCancel from "../../fixtures/imip/gmail-cancel.eml?raw";
import { parseImipMail } from "../../../src/core/imip/parse.js";
import { parseItip } from "../../../src/core/schedule/itip.js";
import { answeringAttendee } from "../../../src/core/imip/trust.js";

const UID = "6A1F0C4E-1B2D-4B8A-9C33-5E7D2A9F0B11";

describe("finding the iTIP object in a mail (RFC 6047 §2.4)", () => {
  const cases: Array<[string, string, string, string, string]> = [
    // fixture, From, method, attendee, PARTSTAT
    ["Apple Mail: attached, quoted-printable, UTF-8", apple, "bob.guest@icloud.com", "mailto:bob.guest@icloud.com", "ACCEPTED"],
    ["Gmail: inline in multipart/alternative, base64, and again as application/ics", gmail, "carol.guest@gmail.com", "mailto:carol.guest@gmail.com", "TENTATIVE"],
    ["Outlook: inline, base64, Windows zone name", outlook, "dan.guest@outlook.com", "mailto:dan.guest@outlook.com", "DECLINED"],
    ["Outlook 2010: quoted-printable windows-1252", outlookOld, "dan.guest@outlook.com", "mailto:dan.guest@outlook.com", "ACCEPTED"],
  ];
  for (const [name, raw, from, attendee, partstat] of cases) {
    it(`reads the REPLY of ${name}`, async () => {
      const mail = await parseImipMail(raw);
      expect(mail.from).toBe(from);
      expect(mail.partMethod).toBe("REPLY");
      expect(mail.messageId).not.toBe("");
      const m = parseItip(mail.calendar!);
      expect(m.method).toBe("REPLY");
      expect(m.uid).toBe(UID);
      expect(m.organizer).toBe("mailto:olivia@example.com");
      expect(answeringAttendee(m, mail.from)).toBe(attendee);
      expect(m.components[0]!.attendees[0]!.partstat).toBe(partstat);
      expect(mail.calendar, "decoded to Unicode").toMatch(/Quartalsplanung – Café|Raum 3/);
    });
  }

  it("decodes a windows-1252 calendar part to Unicode", async () => {
    const mail = await parseImipMail(outlookOld);
    expect(mail.calendar).toContain("Gern – bis Freitag. Grüße");
  });

  it("reads an outside organizer's REQUEST and CANCEL from Google Calendar", async () => {
    const req = parseItip((await parseImipMail(gmailRequest)).calendar!);
    expect(req.method).toBe("REQUEST");
    expect(req.organizer).toBe("mailto:erin.organizer@gmail.com");
    const cancel = parseItip((await parseImipMail(gmailCancel)).calendar!);
    expect(cancel.method).toBe("CANCEL");
    expect(cancel.sequence).toBe(1);
  });

  it("finds nothing in a mail without a calendar part", async () => {
    const mail = await parseImipMail("From: a@b.example\r\nSubject: hi\r\nMessage-ID: <x@b.example>\r\n\r\nJust text.\r\n");
    expect(mail.calendar).toBeNull();
  });
});
