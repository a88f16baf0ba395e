// Caps on outgoing iMIP (README "E-mail (iMIP)"): outside recipients per
// message, messages per hour per user and per deployment. What is over a cap
// is not sent, and its recipient shows SCHEDULE-STATUS 5.1 (RFC 6638 §3.2.9).
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { dav } from "../../helpers/dav-client.js";
import { rnd } from "../../helpers/caldav.js";
import { recorder, withMail } from "../../helpers/mail.js";
import { cast, eventually, getCopy, meeting, newUid, sleep, ss } from "../../helpers/scheduling.js";

vi.setConfig({ testTimeout: 60_000 });

const outside = (n: number) => Array.from({ length: n }, () => `mailto:cap-${rnd()}@elsewhere.test`);

async function invite(user: Awaited<ReturnType<typeof cast<"alice">>>["alice"], guests: string[], tag: string) {
  const path = `/calendars/${user.user}/calendar/${tag}.ics`;
  const body = meeting({ uid: newUid(tag), organizer: user, attendees: guests.map((who) => ({ who })), start: "20261222T100000Z", end: "20261222T110000Z" });
  expect((await dav("PUT", path, { as: user, body })).status).toBe(201);
  return path;
}

describe("caps on outgoing e-mail", () => {
  it("sends to at most IMIP_MAX_RECIPIENTS outside addresses of one message; the others show 5.1 at once", async () => {
    const vars = env as unknown as Record<string, string>;
    const before = vars.IMIP_MAX_RECIPIENTS;
    vars.IMIP_MAX_RECIPIENTS = "2";
    const { alice } = await cast("alice");
    const guests = outside(3);
    const rec = recorder();
    try {
      await withMail(alice.user, rec, async () => {
        const path = await invite(alice, guests, "cap-recipients");
        const copy = await getCopy(alice, path);
        expect(guests.map((g) => ss(copy.text, g))).toEqual(["1.1", "1.1", "5.1"]);
        await eventually(async () => rec.sent.length, (n) => n >= 2, "two sent");
        await sleep(1_000);
      });
    } finally {
      if (before === undefined) delete vars.IMIP_MAX_RECIPIENTS;
      else vars.IMIP_MAX_RECIPIENTS = before;
    }
    expect(rec.sent.map((m) => `mailto:${m.to}`).sort()).toEqual(guests.slice(0, 2).sort());
  });

  it("sends at most IMIP_MAX_PER_HOUR_USER messages an hour for one user; the next shows 5.1", async () => {
    const { alice } = await cast("alice");
    const rec = recorder();
    const [g1, g2] = outside(2);
    await withMail(alice.user, rec, async () => {
      const first = await invite(alice, [g1!], "cap-user-1");
      await eventually(async () => rec.sent.length, (n) => n >= 1, "the first sent");
      const second = await invite(alice, [g2!], "cap-user-2");
      await eventually(() => getCopy(alice, second), (c) => ss(c.text, g2!) === "5.1", "the second refused");
      expect(ss((await getCopy(alice, first)).text, g1!)).toBe("1.1");
    }, { IMIP_MAX_PER_HOUR_USER: "1" });
    expect(rec.sent).toHaveLength(1);
  });

  it("sends nothing past the deployment's IMIP_MAX_PER_HOUR", async () => {
    const { alice } = await cast("alice");
    const rec = recorder();
    const [g] = outside(1);
    await withMail(alice.user, rec, async () => {
      const path = await invite(alice, [g!], "cap-deployment");
      await eventually(() => getCopy(alice, path), (c) => ss(c.text, g!) === "5.1", "refused");
    }, { IMIP_MAX_PER_HOUR: "0" });
    expect(rec.sent).toHaveLength(0);
  });
});
