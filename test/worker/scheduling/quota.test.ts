// The quota covers everything a user can make the server keep (RFC 4331):
// object bodies with their scheduling state, inbox items, message bodies
// staged for many recipients and messages kept for addresses outside the
// server. Over quota a write answers 507 with DAV:quota-not-exceeded and
// nothing of it is kept; a delivery into a full home is refused (5.1) and
// leaves it as it was. quota-used-bytes is always the sum of what is kept.
import { describe, expect, it, vi } from "vitest";
import { runInDurableObject } from "cloudflare:test";
import { dav, errorConditions } from "../../helpers/dav-client.js";
import { D, home, homeEpoch, homeSql, homeStub, propfindOne, propText as davPropText, putOk, r2Keys } from "../../helpers/caldav.js";
import { withHomeQuota } from "../../helpers/faults.js";
import { cast, copyPath, eventually, getCopy, inbox, meeting, newUid, sleep, ss, waitCopy, type Party } from "../../helpers/scheduling.js";
import type { CalendarHome } from "../../../src/home/calendar-home.js";

vi.setConfig({ testTimeout: 60_000 });

const QUOTA_NOT_EXCEEDED = "{DAV:}quota-not-exceeded";
const outsider = (i: number) => `mailto:friend-${i}@elsewhere.example`;
const usedBytes = async (p: Party) => Number(davPropText(await propfindOne(p, home(p), ["D:quota-used-bytes"]), D("quota-used-bytes")));

/** What the home keeps, added up from its tables. */
async function kept(p: Party): Promise<number> {
  const [objects] = await homeSql<{ n: number }>(p.user, "SELECT COALESCE(SUM(size + state_bytes), 0) AS n FROM objects");
  const [bodies] = await homeSql<{ n: number }>(p.user, "SELECT COALESCE(SUM(size), 0) AS n FROM itip_bodies");
  const [messages] = await homeSql<{ n: number }>(p.user, "SELECT COALESCE(SUM(bytes), 0) AS n FROM email_outbox");
  const [props] = await homeSql<{ n: number }>(p.user, "SELECT COALESCE(SUM(length(CAST(name AS BLOB)) + length(CAST(value AS BLOB))), 0) AS n FROM props");
  return objects!.n + bodies!.n + messages!.n + props!.n;
}

/** A meeting of alice with `n` addresses outside the server, padded with a DESCRIPTION to about `pad` octets. */
function outsideMeeting(alice: Party, uid: string, n: number, pad = 0): string {
  return meeting({
    uid, organizer: alice, attendees: Array.from({ length: n }, (_, i) => ({ who: outsider(i) })), start: "20270601T100000Z", end: "20270601T110000Z",
    extra: pad ? [`DESCRIPTION:${"x".repeat(pad)}`] : [],
  });
}

describe("quota-used-bytes is everything the home keeps (RFC 4331 §4)", () => {
  it("counts an object's scheduling state, staged bodies and kept messages, and nothing twice", async () => {
    const { alice } = await cast("alice");
    const uid = newUid("acct");
    const path = `/calendars/${alice.user}/calendar/acct.ics`;
    expect((await dav("PUT", path, { as: alice, body: outsideMeeting(alice, uid, 600, 40_000) })).status).toBe(201);
    await eventually(() => getCopy(alice, path), (c) => ss(c.text, outsider(599)) === "3.7" && ss(c.text, outsider(0)) === "3.7", "kept for e-mail", 60_000);
    await eventually(async () => (await homeSql<{ n: number }>(alice.user, "SELECT COUNT(*) AS n FROM email_outbox"))[0]!.n, (n) => n === 600, "600 kept");
    const [state] = await homeSql<{ s: number }>(alice.user, "SELECT state_bytes AS s FROM objects WHERE name = 'acct.ics'");
    expect(state!.s, "the scheduling snapshot counts").toBeGreaterThan(600 * 40);
    expect(await usedBytes(alice)).toBe(await kept(alice));
    // One 44 KB PUT to 600 outside addresses: the body once in R2, 600 small rows; not 600 copies (57 MB before).
    const epoch = await homeEpoch(alice.user);
    expect(await r2Keys(`itip/${epoch}/`)).toHaveLength(1);
    expect(await usedBytes(alice)).toBeLessThan(3_000_000);
    // The kept messages still need their body when its time is up: it stays, and stays counted.
    const used = await usedBytes(alice);
    await runInDurableObject(homeStub(alice.user), async (instance: CalendarHome, state: DurableObjectState) => {
      state.storage.sql.exec("UPDATE itip_bodies SET expires = 0");
      await instance.alarm();
    });
    expect(await r2Keys(`itip/${epoch}/`)).toHaveLength(1);
    expect(await usedBytes(alice)).toBe(used);
  });

  it("counts inbox items and delivered copies in the recipient's home", async () => {
    const { alice, bob } = await cast("alice", "bob");
    const before = await usedBytes(bob);
    const uid = newUid("inbox");
    await putOk(alice, `/calendars/${alice.user}/calendar/i.ics`, meeting({ uid, organizer: alice, attendees: [{ who: bob }], start: "20270602T100000Z", end: "20270602T110000Z" }));
    await waitCopy(bob, copyPath(bob, uid));
    await eventually(async () => (await inbox(bob)).size, (n) => n === 1, "one inbox item");
    const after = await usedBytes(bob);
    expect(after).toBeGreaterThan(before);
    expect(after).toBe(await kept(bob));
  });

  it("gives staged bodies back when they expire, unless a kept message still needs them", async () => {
    const { alice, bob, carol, dave } = await cast("alice", "bob", "carol", "dave");
    const uid = newUid("expire");
    const path = `/calendars/${alice.user}/calendar/e.ics`;
    const body = meeting({ uid, organizer: alice, attendees: [{ who: bob }, { who: carol }, { who: dave }], start: "20270603T100000Z", end: "20270603T110000Z", extra: [`DESCRIPTION:${"y".repeat(9000)}`] });
    await putOk(alice, path, body);
    for (const who of [bob, carol, dave]) await waitCopy(who, copyPath(who, uid));
    const staged = await homeSql<{ key: string; size: number }>(alice.user, "SELECT key, size FROM itip_bodies");
    expect(staged).toHaveLength(1);
    const used = await usedBytes(alice);
    await runInDurableObject(homeStub(alice.user), async (instance: CalendarHome, state: DurableObjectState) => {
      state.storage.sql.exec("UPDATE itip_bodies SET expires = 0");
      await instance.alarm();
    });
    expect(await homeSql(alice.user, "SELECT key FROM itip_bodies")).toEqual([]);
    expect(await r2Keys(staged[0]!.key)).toEqual([]);
    expect(await usedBytes(alice)).toBe(used - staged[0]!.size);
  });
});

describe("over quota: 507 DAV:quota-not-exceeded, nothing half-written (RFC 4331 §6)", () => {
  it("refuses a PUT whose messages would not fit, and keeps nothing of it", async () => {
    const { alice } = await cast("alice");
    const uid = newUid("full");
    const path = `/calendars/${alice.user}/calendar/full.ics`;
    const body = outsideMeeting(alice, uid, 200, 20_000);
    const used = await usedBytes(alice);
    const epoch = await homeEpoch(alice.user);
    // Room for the object with its state, not for the body staged for its 200 messages.
    await withHomeQuota(alice.user, used + body.length * 2, async () => {
      const r = await dav("PUT", path, { as: alice, body });
      expect(r.status).toBe(507);
      expect(await errorConditions(r)).toEqual([QUOTA_NOT_EXCEEDED]);
    });
    expect((await dav("GET", path, { as: alice })).status).toBe(404);
    expect(await homeSql(alice.user, "SELECT id FROM outbox")).toEqual([]);
    expect(await homeSql(alice.user, "SELECT key FROM itip_bodies")).toEqual([]);
    expect(await r2Keys(`itip/${epoch}/`)).toEqual([]);
    expect(await usedBytes(alice)).toBe(used);
    // Deleting is always possible over quota.
    await putOk(alice, `/calendars/${alice.user}/calendar/small.ics`, outsideMeeting(alice, newUid("small"), 1));
    await withHomeQuota(alice.user, 1, async () => {
      expect((await dav("DELETE", `/calendars/${alice.user}/calendar/small.ics`, { as: alice })).status).toBe(204);
    });
  });

  it("refuses a delivery into a full home with 5.1; the home stays as it was", async () => {
    const { alice, bob } = await cast("alice", "bob");
    const used = await usedBytes(bob);
    const uid = newUid("nospace");
    const path = `/calendars/${alice.user}/calendar/n.ics`;
    await withHomeQuota(bob.user, used + 100, async () => {
      await putOk(alice, path, meeting({ uid, organizer: alice, attendees: [{ who: bob }], start: "20270604T100000Z", end: "20270604T110000Z" }));
      await eventually(() => getCopy(alice, path), (c) => ss(c.text, bob) === "5.1", "alice's copy says not delivered");
    });
    await sleep(200);
    expect((await getCopy(bob, copyPath(bob, uid))).status).toBe(404);
    expect((await inbox(bob)).size).toBe(0);
    expect(await usedBytes(bob)).toBe(used);
  });
});
