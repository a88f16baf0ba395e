// RSVP links (README "E-mail (iMIP)"): an e-mailed invitation carries Accept,
// Maybe and Decline links; a link opens a page without sign-in that shows
// the event and asks to confirm; the confirmed answer reaches the
// organizer's copy as a REPLY from that attendee (RFC 5546 §3.2.3). A used,
// expired or forged link says so and changes nothing.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { dav } from "../../helpers/dav-client.js";
import { collectGarbageNow, homeSql, rnd } from "../../helpers/caldav.js";
import { recorder, withMail } from "../../helpers/mail.js";
import { cast, eventually, getCopy, meeting, newUid, ps, sleep, ss } from "../../helpers/scheduling.js";
import { signRsvp } from "../../../src/core/imip/rsvp.js";
import { TOKEN_TTL_MS } from "../../../src/core/imip/token.js";

vi.setConfig({ testTimeout: 60_000 });

const open = (url: string, init?: RequestInit) => exports.default.fetch(new Request(url, init));
const confirm = (url: string, answer: string) =>
  open(url, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: `answer=${answer}` });

describe("RSVP links in e-mailed invitations", () => {
  it("shows the event, applies the confirmed answer as the attendee's REPLY, and refuses the link once used", async () => {
    const { alice } = await cast("alice");
    const guest = `mailto:rsvp-${rnd()}@elsewhere.test`;
    const path = `/calendars/${alice.user}/calendar/rsvp.ics`;
    const rec = recorder();
    await withMail(alice.user, rec, async () => {
      const body = meeting({ uid: newUid("rsvp"), organizer: alice, attendees: [{ who: guest }], start: "20261222T100000Z", end: "20261222T110000Z", summary: "Tea <script>x</script>" });
      expect((await dav("PUT", path, { as: alice, body })).status).toBe(201);
      await eventually(async () => rec.sent.length, (n) => n >= 1, "the invitation");
    });
    const text = rec.sent[0]!.parsed.text!;
    const links = Object.fromEntries([...text.matchAll(/^(Accept|Maybe|Decline): (\S+)$/gm)].map((m) => [m[1], m[2]]));
    expect(links.Accept).toMatch(/^https:\/\/caldav\.example\.com\/rsvp\/[\w.-]+\?answer=accept$/);
    expect(rec.sent[0]!.parsed.html).toContain(`<a href="${links.Decline!.replace(/&/g, "&amp;")}">Decline</a>`);

    const before = await getCopy(alice, path);
    const page = await open(links.Accept!);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain("Tea &lt;script&gt;x&lt;/script&gt;");
    expect(html).not.toContain("<script>");
    expect(html).toMatch(/<form method="post">/);
    await sleep(300);
    expect((await getCopy(alice, path)).etag, "opening the page changes nothing").toBe(before.etag);

    const done = await confirm(links.Accept!, "tentative");
    expect(done.status).toBe(200);
    expect(await done.text()).toContain("was sent to the organizer");
    const copy = await eventually(() => getCopy(alice, path), (c) => ps(c.text, guest) === "TENTATIVE", "the answer in the organizer's copy");
    expect(ss(copy.text, guest)).toBe("2.0");

    for (const url of [links.Accept!, links.Decline!]) {
      const again = await confirm(url, "decline");
      expect(again.status).toBe(410);
      expect(await again.text()).toContain("already used");
    }
    expect((await open(links.Maybe!)).status).toBe(410);
    await sleep(500);
    expect(ps((await getCopy(alice, path)).text, guest)).toBe("TENTATIVE");

    // The home remembers a used link only as long as a link lives (the table is the schema's, v14).
    const used = await homeSql<{ id: string }>(alice.user, "SELECT id FROM imip_rsvp_used");
    expect(used).toHaveLength(1);
    await homeSql(alice.user, `UPDATE imip_rsvp_used SET at = ${Date.now() - TOKEN_TTL_MS - 1000}`);
    await collectGarbageNow(alice.user);
    expect(await homeSql(alice.user, "SELECT id FROM imip_rsvp_used"), "forgotten after the link's lifetime").toEqual([]);
  });

  it("says an expired or forged link cannot be used, and changes nothing", async () => {
    const secret = (env as { IMIP_SECRET?: string }).IMIP_SECRET!;
    const claim = { id: `m-${rnd()}`, uid: "nope@example.com", attendee: "mailto:a@elsewhere.test", organizer: "mailto:b@example.com" };
    const expired = await signRsvp(secret, claim, Date.now() - TOKEN_TTL_MS - 1000);
    const r = await confirm(`https://caldav.example.com/rsvp/${expired}`, "accept");
    expect(r.status).toBe(410);
    expect(await r.text()).toContain("expired");
    const forged = await signRsvp("not-the-secret", claim, Date.now());
    expect((await open(`https://caldav.example.com/rsvp/${forged}?answer=accept`)).status).toBe(404);
    expect((await open("https://caldav.example.com/rsvp/garbage")).status).toBe(404);
  });
});
