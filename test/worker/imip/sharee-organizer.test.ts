// E-mail (iMIP, RFC 6047) for a meeting a read-write sharee organizes as
// itself in a shared calendar (README "Sharing"): the invitation is mailed
// from the owner's home in the sharee's name; the outside attendee's answer,
// by e-mail or by RSVP link, is addressed to the sharee and reaches the copy
// in the owner's calendar.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { dav, type Creds } from "../../helpers/dav-client.js";
import { rnd } from "../../helpers/caldav.js";
import { receive, recorder, withMail } from "../../helpers/mail.js";
import { eventually, getCopy, meeting, newUid, ps, ss, type Party } from "../../helpers/scheduling.js";
import { sharedFamily } from "../../helpers/sharing.js";

vi.setConfig({ testTimeout: 60_000 });

const asParty = (c: Creds): Party => ({ ...c, email: `${c.user}@example.com`, address: `mailto:${c.user}@example.com` });

/** An outside attendee's REPLY as a plain mail client sends it: one text/calendar part, From the attendee. */
function replyMail(o: { uid: string; organizer: string; guest: string; partstat: string }): string {
  const ics = [
    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Example Mail//EN", "METHOD:REPLY", "BEGIN:VEVENT", `UID:${o.uid}`,
    `DTSTAMP:${new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "")}`, "SEQUENCE:0",
    "DTSTART:20261218T100000Z", "DTEND:20261218T110000Z", `ORGANIZER:${o.organizer}`, `ATTENDEE;PARTSTAT=${o.partstat}:${o.guest}`,
    "END:VEVENT", "END:VCALENDAR", "",
  ].join("\r\n");
  return [
    `From: Guest <${o.guest.replace(/^mailto:/, "")}>`, `To: ${o.organizer.replace(/^mailto:/, "")}`, "Subject: Accepted: Planning",
    `Message-ID: <${crypto.randomUUID()}@elsewhere.test>`, "MIME-Version: 1.0", "Content-Type: text/calendar; charset=utf-8; method=REPLY", "", ics,
  ].join("\r\n");
}

describe("a sharee's meeting in a shared calendar, by e-mail", () => {
  it("is mailed in the sharee's name; the guest's answer by e-mail, then by RSVP link, reaches the owner's copy", async () => {
    const f = await sharedFamily();
    const bob = asParty(f.rw);
    const guest = `mailto:guest-${rnd()}@elsewhere.test`;
    const uid = newUid("sharee-imip");
    const owned = `${f.calendar}m.ics`;
    const rec = recorder();
    await withMail(f.owner.user, rec, async () => {
      const body = meeting({ uid, organizer: bob, attendees: [{ who: guest }], start: "20261218T100000Z", end: "20261218T110000Z" });
      expect((await dav("PUT", `${f.rwUrl}m.ics`, { as: f.rw, body })).status).toBe(201);
      await eventually(async () => rec.sent.length, (n) => n >= 1, "the invitation mailed from the owner's home");
    });
    const invite = rec.sent[0]!;
    expect(invite.to).toBe(guest.replace(/^mailto:/, ""));
    expect(invite.parsed.from?.name, "in the organizing sharee's name, not the owner's").not.toContain("Olga Owner");
    expect(invite.parsed.from?.name).toContain(f.rw.user);
    expect(ss((await getCopy(f.owner, owned)).text, guest)).toBe("1.1");

    const mailed = await receive(replyMail({ uid, organizer: bob.address, guest, partstat: "ACCEPTED" }), guest.replace(/^mailto:/, ""), bob.email, env);
    expect(mailed.accepted, JSON.stringify(mailed)).toBe(true);
    const merged = await eventually(() => getCopy(f.owner, owned), (c) => ps(c.text, guest) === "ACCEPTED", "the e-mailed answer in the owner's copy");
    expect(ss(merged.text, guest)).toBe("2.0");

    const links = Object.fromEntries([...invite.parsed.text!.matchAll(/^(Accept|Maybe|Decline): (\S+)$/gm)].map((m) => [m[1], m[2]]));
    const page = await exports.default.fetch(new Request(links.Decline!));
    expect(page.status, "the RSVP page finds the copy in the owner's calendar").toBe(200);
    const done = await exports.default.fetch(new Request(links.Decline!, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "answer=decline" }));
    expect(done.status).toBe(200);
    await eventually(() => getCopy(f.rw, `${f.rwUrl}m.ics`), (c) => ps(c.text, guest) === "DECLINED", "the RSVP answer, seen by the sharee");
  });
});
