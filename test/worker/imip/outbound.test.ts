// Outbound iMIP (RFC 6047 §2, §3): invitations, reschedules and
// cancellations for addresses no principal holds are mailed through the
// send_email binding, one message per recipient, with SCHEDULE-STATUS 1.1
// (RFC 6638 §3.2.9) in the organizer's copy; a failed send is retried by the
// Queue and marked 5.1 when the retries end.
import { describe, expect, it, vi } from "vitest";
import { dav } from "../../helpers/dav-client.js";
import { homeStub, rnd } from "../../helpers/caldav.js";
import { header, recorder, structure, withMail } from "../../helpers/mail.js";
import {
  cast, eventually, getCopy, masterOf, meeting, methodOf, newUid, nextSecond, ss, sleep, components,
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

  it("mails a reschedule with its new SEQUENCE and what changed, a single-instance CANCEL with RECURRENCE-ID, and a whole CANCEL (RFC 5546 §3.2.2, §3.2.5)", async () => {
    const { alice } = await cast("alice");
    const guest = outside();
    const uid = newUid("imip-series");
    const path = `/calendars/${alice.user}/calendar/series.ics`;
    const rec = recorder();
    const weekly = (start: string, end: string, extra: string[] = []) => meeting({
      uid, organizer: alice, attendees: [{ who: `mailto:${guest}` }], start, end, summary: "Standup", extra: ["RRULE:FREQ=WEEKLY;COUNT=4", ...extra],
    }).replace(`DTSTART:${start}`, `DTSTART;TZID=Europe/Paris:${start}`).replace(`DTEND:${end}`, `DTEND;TZID=Europe/Paris:${end}`);
    const sent = (n: number) => eventually(async () => rec.sent.length, (k) => k >= n, `${n} messages sent`);
    await withMail(alice.user, rec, async () => {
      expect((await dav("PUT", path, { as: alice, body: weekly("20270105T100000", "20270105T110000") })).status).toBe(201);
      await sent(1);
      await nextSecond();
      expect((await dav("PUT", path, { as: alice, body: weekly("20270105T140000", "20270105T150000") })).status).toBe(204);
      await sent(2);
      await nextSecond();
      const stored = await getCopy(alice, path);
      const withExdate = stored.text.replace(/(RRULE:FREQ=WEEKLY;COUNT=4\r\n)/, "$1EXDATE;TZID=Europe/Paris:20270112T140000\r\n");
      expect(withExdate).not.toBe(stored.text);
      expect((await dav("PUT", path, { as: alice, body: withExdate })).status).toBe(204);
      await sent(3);
      await nextSecond();
      expect((await dav("DELETE", path, { as: alice })).status).toBe(204);
      await sent(4);
    });
    const [invite, update, instance, whole] = rec.sent;
    expect(rec.sent.every((m) => m.to === guest)).toBe(true);

    expect(invite!.method).toBe("REQUEST");
    expect(invite!.parsed.text, "times in the event's zone, named").toContain("When: Tuesday, 5 January 2027, 10:00 – 11:00 (Europe/Paris) (repeats)");
    expect(invite!.calendar, "the zone travels with the message").toMatch(/BEGIN:VTIMEZONE/);

    expect(update!.method).toBe("REQUEST");
    expect(update!.parsed.subject).toBe("Updated invitation: Standup");
    expect(Number(masterOf(update!.calendar)!.getFirstPropertyValue("sequence")), "a reschedule carries a higher SEQUENCE")
      .toBeGreaterThan(Number(masterOf(invite!.calendar)!.getFirstPropertyValue("sequence") ?? 0));
    expect(update!.parsed.text).toContain("What changed:");
    expect(update!.parsed.text).toContain("When: Tuesday, 5 January 2027, 10:00 – 11:00 (Europe/Paris) → Tuesday, 5 January 2027, 14:00 – 15:00 (Europe/Paris)");
    expect(update!.parsed.html).toContain("<li>When: Tuesday, 5 January 2027, 10:00 – 11:00 (Europe/Paris) → Tuesday, 5 January 2027, 14:00 – 15:00 (Europe/Paris)</li>");

    expect(instance!.method).toBe("CANCEL");
    expect(instance!.raw).toMatch(/text\/calendar; charset=utf-8; method=CANCEL/);
    expect(instance!.parsed.subject).toBe("Cancelled occurrence: Standup");
    const cancelled = components(instance!.calendar);
    expect(cancelled).toHaveLength(1);
    expect(cancelled[0]!.hasProperty("recurrence-id"), "only that instance").toBe(true);
    expect(instance!.parsed.text).toContain("Occurrence: Tuesday, 12 January 2027, 14:00 – 15:00 (Europe/Paris)");

    expect(whole!.method).toBe("CANCEL");
    expect(whole!.parsed.subject).toBe("Cancelled: Standup");
    expect(components(whole!.calendar).some((c) => c.hasProperty("recurrence-id")), "the whole event").toBe(false);
  });

  it("retries a failed send through the Queue and marks 5.1 when the retries end (RFC 6638 §3.2.9)", async () => {
    const { alice } = await cast("alice");
    const guest = outside();
    const uid = newUid("imip-fail");
    const path = `/calendars/${alice.user}/calendar/fail.ics`;
    const rec = recorder();
    let attempts = 0;
    rec.failing = () => (attempts++, true);
    await withMail(alice.user, rec, async () => {
      const body = meeting({ uid, organizer: alice, attendees: [{ who: `mailto:${guest}` }], start: "20261222T100000Z", end: "20261222T110000Z" });
      expect((await dav("PUT", path, { as: alice, body })).status).toBe(201);
      expect(ss((await getCopy(alice, path)).text, `mailto:${guest}`)).toBe("1.1");
      await eventually(() => getCopy(alice, path), (c) => ss(c.text, `mailto:${guest}`) === "5.1", "5.1 after the retries", 50_000);
    });
    expect(attempts, "tried again before giving up").toBeGreaterThan(1);
    expect(rec.sent).toHaveLength(0);
  });
});

describe("one e-mail per message, however often it is handed over", () => {
  const job = (alice: { user: string }, guest: string, uid: string) => ({
    id: `claim-${uid}`, fromHome: alice.user, originator: `mailto:${alice.user}@example.com`, recipient: `mailto:${guest}`,
    method: "REQUEST" as const, uid, sequence: 0, dtstamp: "20261201T000000Z", created: Date.now(),
  });

  it("sends once when the same job is handed over twice at the same moment (a Queue redelivery), and again after a failed send", async () => {
    const { alice } = await cast("alice");
    const guest = outside();
    const uid = newUid("imip-claim");
    const body = meeting({ uid, organizer: alice, attendees: [{ who: `mailto:${guest}` }], start: "20261222T100000Z", end: "20261222T110000Z" })
      .replace("BEGIN:VCALENDAR\r\n", "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\n");
    const rec = recorder();
    await withMail(alice.user, rec, async () => {
      const home = homeStub(alice.user);
      const [a, b] = await Promise.all([home.sendEmail(job(alice, guest, uid), body, "Alice"), home.sendEmail(job(alice, guest, uid), body, "Alice")]);
      expect([a.sent, b.sent].sort()).toEqual([false, true]);
      expect([a, b].find((o) => !o.sent)?.duplicate).toBe(true);
      expect(rec.sent).toHaveLength(1);

      // A send that fails releases its claim, so the retry sends.
      const second = job(alice, guest, `${uid}-2`);
      rec.failing = () => true;
      // Awaited in a try: an RPC promise handed to expect().rejects is reported as unhandled as well.
      const failed = await home.sendEmail(second, body, "Alice").then(() => false, () => true);
      expect(failed, "the failed send throws").toBe(true);
      rec.failing = () => false;
      expect((await home.sendEmail(second, body, "Alice")).sent).toBe(true);
      expect(rec.sent).toHaveLength(2);
    });
  });
});
