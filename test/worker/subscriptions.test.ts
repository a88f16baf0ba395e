// Secret read-only subscription URLs per calendar (issue 11 item 6): GET
// without a login answers the calendar's export as text/calendar; a token
// turned off or re-made answers 404; a token opens its own calendar only.
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { dropSubscription, makeSubscription, subscriptionToken, subscriptionUrls } from "../../src/transfer/subscriptions.js";
import { dav } from "../helpers/dav-client.js";
import { cal, ics, newUser, putOk } from "../helpers/caldav.js";
import { principalOf } from "../helpers/transfer.js";
import { mkcolCalendar } from "../helpers/reports.js";

const path = (token: string) => new URL(subscriptionUrls("http://caldav.test", token).https).pathname;

describe("subscription URLs", () => {
  it("serve the calendar without a login; turned off answers 404; re-made, the old one 404 and the new one works", async () => {
    const u = await newUser("sub");
    await putOk(u, `${cal(u)}a.ics`, ics({ uid: `sub-a-${u.user}`, summary: "Shared event" }));
    const me = await principalOf(u);
    expect(await subscriptionToken(env, me, "calendar")).toBeNull();
    const token = await makeSubscription(env, me, "calendar");
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 random bits
    expect(await subscriptionToken(env, me, "calendar")).toBe(token);
    expect(subscriptionUrls("https://caldav.example.com", token)).toEqual({
      https: `https://caldav.example.com/subscribe/${token}.ics`,
      webcal: `webcal://caldav.example.com/subscribe/${token}.ics`,
    });
    const res = await dav("GET", path(token));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
    const text = await res.text();
    expect(text).toContain(`UID:sub-a-${u.user}`);
    expect(text.match(/BEGIN:VCALENDAR/g)).toHaveLength(1);
    // Without the .ics suffix too (some apps drop it); HEAD answers like GET; writes are refused.
    expect((await dav("GET", path(token).replace(/\.ics$/, ""))).status).toBe(200);
    expect((await dav("HEAD", path(token))).status).toBe(200);
    expect((await dav("PUT", path(token), { body: ics() })).status).toBe(405);

    expect(await dropSubscription(env, me, "calendar")).toBe(true);
    expect((await dav("GET", path(token))).status).toBe(404);
    const again = await makeSubscription(env, me, "calendar");
    const renewed = await makeSubscription(env, me, "calendar");
    expect(renewed).not.toBe(again);
    expect((await dav("GET", path(again))).status).toBe(404);
    expect((await dav("GET", path(renewed))).status).toBe(200);
  });

  it("answer 404 for unknown or malformed tokens, and for a calendar deleted since, even when one is made again under its name", async () => {
    const u = await newUser("subn");
    for (const p of ["/subscribe/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics", "/subscribe/short.ics", "/subscribe/..%2Fcalendars.ics"]) {
      expect((await dav("GET", p)).status, p).toBe(404);
    }
    await dav("MKCOL", `${cal(u, "gone")}`, {
      as: u,
      body: '<D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:resourcetype><D:collection/><C:calendar/></D:resourcetype></D:prop></D:set></D:mkcol>',
    });
    const token = await makeSubscription(env, await principalOf(u), "gone");
    expect((await dav("GET", path(token))).status).toBe(200);
    expect((await dav("DELETE", cal(u, "gone"), { as: u })).status).toBe(204);
    expect((await dav("GET", path(token))).status).toBe(404);
    await mkcolCalendar(u, "gone");
    expect((await dav("GET", path(token))).status).toBe(404);
    expect(await subscriptionToken(env, await principalOf(u), "gone")).toBeNull();
    // No URL for a calendar that does not exist.
    const err: unknown = await makeSubscription(env, await principalOf(u), "nothing").catch((e: unknown) => e);
    expect((err as { status: number }).status).toBe(404);
  });

  it("open only the calendar they were made for: two users' calendars of the same name stay apart", async () => {
    const a = await newUser("suba");
    const b = await newUser("subb");
    await putOk(a, `${cal(a)}a.ics`, ics({ uid: `only-a-${a.user}` }));
    await putOk(b, `${cal(b)}b.ics`, ics({ uid: `only-b-${b.user}` }));
    const ta = await makeSubscription(env, await principalOf(a), "calendar");
    const tb = await makeSubscription(env, await principalOf(b), "calendar");
    const textA = await (await dav("GET", path(ta))).text();
    const textB = await (await dav("GET", path(tb))).text();
    expect(textA).toContain(`only-a-${a.user}`);
    expect(textA).not.toContain(`only-b-${b.user}`);
    expect(textB).toContain(`only-b-${b.user}`);
    expect(textB).not.toContain(`only-a-${a.user}`);
    // Turning off a's URL leaves b's working.
    await dropSubscription(env, await principalOf(a), "calendar");
    expect((await dav("GET", path(tb))).status).toBe(200);
  });
});
