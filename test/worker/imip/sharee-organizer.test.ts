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
import { eventually, getCopy, inboxFor, meeting, methodOf, newUid, ps, sleep, ss, type Party } from "../../helpers/scheduling.js";
import { sharedFamily } from "../../helpers/sharing.js";

vi.setConfig({ testTimeout: 60_000 });

const asParty = (c: Creds): Party => ({ ...c, email: `${c.user}@example.com`, address: `mailto:${c.user}@example.com` });

/** An outside attendee's REPLY (or COUNTER, with its proposed time) as a plain mail client sends it: one text/calendar part, From the attendee. */
function replyMail(o: { uid: string; organizer: string; guest: string; partstat: string; method?: "REPLY" | "COUNTER"; start?: string }): string {
  const method = o.method ?? "REPLY";
  const start = o.start ?? "20261218T100000Z";
  const ics = [
    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Example Mail//EN", `METHOD:${method}`, "BEGIN:VEVENT", `UID:${o.uid}`,
    `DTSTAMP:${new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "")}`, "SEQUENCE:0",
    `DTSTART:${start}`, `DTEND:${start.replace(/T(\d\d)/, (_, h: string) => `T${String(Number(h) + 1).padStart(2, "0")}`)}`,
    `ORGANIZER:${o.organizer}`, `ATTENDEE;PARTSTAT=${o.partstat}:${o.guest}`,
    "END:VEVENT", "END:VCALENDAR", "",
  ].join("\r\n");
  return [
    `From: Guest <${o.guest.replace(/^mailto:/, "")}>`, `To: ${o.organizer.replace(/^mailto:/, "")}`, `Subject: ${method === "REPLY" ? "Accepted" : "New Time Proposed"}: Planning`,
    `Message-ID: <${crypto.randomUUID()}@elsewhere.test>`, "MIME-Version: 1.0", `Content-Type: text/calendar; charset=utf-8; method=${method}`, "", ics,
  ].join("\r\n");
}

/** The family calendar shared with Bob, and Bob's meeting there with one outside guest, its invitation mailed. */
async function bobInvitesGuest(tag: string) {
  const f = await sharedFamily();
  const bob = asParty(f.rw);
  const guest = `mailto:guest-${rnd()}@elsewhere.test`;
  const uid = newUid(tag);
  const rec = recorder();
  await withMail(f.owner.user, rec, async () => {
    const body = meeting({ uid, organizer: bob, attendees: [{ who: guest }], start: "20261218T100000Z", end: "20261218T110000Z" });
    expect((await dav("PUT", `${f.rwUrl}m.ics`, { as: f.rw, body })).status).toBe(201);
    await eventually(async () => rec.sent.length, (n) => n >= 1, "the invitation mailed from the owner's home");
  });
  return { f, bob, guest, uid, owned: `${f.calendar}m.ics`, rec };
}

describe("a sharee's meeting in a shared calendar, by e-mail", () => {
  it("is mailed in the sharee's name; the guest's answer by e-mail, then by RSVP link, reaches the owner's copy", async () => {
    const { f, bob, guest, uid, owned, rec } = await bobInvitesGuest("sharee-imip");
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

  it("a guest's COUNTER by e-mail (RFC 5546 §3.2.7) reaches the sharee's inbox, checked at the owner's copy, which it leaves unchanged", async () => {
    const { f, bob, guest, uid, owned } = await bobInvitesGuest("sharee-counter");
    const before = await getCopy(f.owner, owned);
    const counter = replyMail({ uid, organizer: bob.address, guest, partstat: "ACCEPTED", method: "COUNTER", start: "20261218T140000Z" });
    expect((await receive(counter, guest.replace(/^mailto:/, ""), bob.email, env)).accepted).toBe(true);
    const kept = await eventually(() => inboxFor(f.rw, uid), (items) => items.length === 1, "the counter-proposal in the sharee's inbox");
    expect(methodOf(kept[0]!)).toBe("COUNTER");
    await sleep(300);
    expect((await getCopy(f.owner, owned)).etag, "the organizer decides; the copy is unchanged").toBe(before.etag);
    expect(await inboxFor(f.owner, uid), "not the owner's to answer").toHaveLength(0);

    // A stranger's COUNTER for the same meeting is not taken: the guest is the one attendee.
    const stranger = `mailto:someone-${rnd()}@elsewhere.test`;
    const forged = replyMail({ uid, organizer: bob.address, guest: stranger, partstat: "ACCEPTED", method: "COUNTER", start: "20261218T150000Z" });
    await receive(forged, stranger.replace(/^mailto:/, ""), bob.email, env);
    await sleep(1_000);
    expect(await inboxFor(f.rw, uid)).toHaveLength(1);
  });
});
