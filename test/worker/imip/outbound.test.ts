// Outbound iMIP (RFC 6047 §2, §3): invitations, reschedules and
// cancellations for addresses no principal holds are mailed through the
// send_email binding, one message per recipient, with SCHEDULE-STATUS 1.1
// (RFC 6638 §3.2.9) in the organizer's copy; a failed send is retried by the
// Queue and marked 5.1 when the retries end.
import { describe, expect, it, vi } from "vitest";
import { dav } from "../../helpers/dav-client.js";
import { rnd } from "../../helpers/caldav.js";
import { header, recorder, structure, withMail } from "../../helpers/mail.js";
import {
  cast, eventually, getCopy, masterOf, meeting, methodOf, newUid, nextSecond, overrideOf, ss, sleep, components,
} from "../../helpers/scheduling.js";

vi.setConfig({ testTimeout: 60_000 });

const outside = () => `guest-${rnd()}@elsewhere.test`;

describe("outbound iMIP (RFC 6047)", () => {
  it("mails a new invitation to two outside addresses: multipart/mixed with text, HTML and text/calendar; method=REQUEST; SCHEDULE-STATUS 1.1", async () => {
    const { alice, bob } = await cast("alice", "bob");
    const [g1, g2] = [outside(), outside()];
    const uid = newUid("imip-new");
    const path = `/calendars/${alice.user}/calendar/new.ics`;
    const rec = recorder();
    await withMail(alice.user, rec, async () => {
      const body = meeting({
        uid, organizer: alice, start: "20261222T100000Z", end: "20261222T110000Z",
        summary: "Planning <b>&</b> \"lunch\"",
        attendees: [{ who: bob }, { who: `mailto:${g1}` }, { who: `mailto:${g2}` }],
      });
      expect((await dav("PUT", path, { as: alice, body })).status).toBe(201);
      const copy = await getCopy(alice, path);
      expect(ss(copy.text, `mailto:${g1}`), "known when the PUT is planned").toBe("1.1");
      expect(ss(copy.text, `mailto:${g2}`)).toBe("1.1");
      expect(ss(copy.text, bob)).toBe("1.2");
      await eventually(async () => rec.sent.length, (n) => n >= 2, "two messages sent");
    });
    expect(rec.sent.map((m) => m.to).sort()).toEqual([g1, g2].sort());
    for (const m of rec.sent) {
      expect(m.from).toBe("calendar@example.com");
      expect(structure(m.raw)).toEqual(["multipart/mixed", "multipart/alternative", "text/plain", "text/html", "text/calendar"]);
      expect(m.raw).toMatch(/Content-Type: text\/calendar; charset=utf-8; method=REQUEST; name="invite.ics"/);
      expect(m.raw).toMatch(/Content-Disposition: attachment; filename="invite.ics"/);
      expect(m.method).toBe("REQUEST");
      expect(methodOf(m.calendar)).toBe("REQUEST");
      expect(String(masterOf(m.calendar)!.getFirstPropertyValue("uid"))).toBe(uid);
      expect(m.calendar, "no server-owned parameter in a message (RFC 6638 §7.3)").not.toMatch(/SCHEDULE-STATUS/i);
      expect(m.parsed.subject).toBe('Invitation: Planning <b>&</b> "lunch"');
      expect(m.parsed.from?.name, "the organizer's name is shown").toBe(alice.user);
      expect(header(m.raw, "Reply-To")).toMatch(/^<calendar\+[a-z2-7]{31}@example\.com>$/);
      expect(m.parsed.html, "what attendees wrote is escaped").toContain("Planning &lt;b&gt;&amp;&lt;/b&gt; &quot;lunch&quot;");
      expect(m.parsed.html).not.toContain("<b>&</b>");
      expect(m.parsed.text).toContain("When: Tuesday, 22 December 2026, 10:00 – 11:00 (UTC)");
      expect(m.parsed.text).toContain(`Organizer: ${alice.user} <${alice.email}>`);
      expect(m.parsed.text, "who else is invited").toContain(bob.email);
    }
    // A redelivery is not mailed twice, and nothing is kept for e-mail any more.
    await sleep(500);
    expect(rec.sent).toHaveLength(2);
  });
});
