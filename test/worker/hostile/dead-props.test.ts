// Dead properties within limits (issue 7, item 5): a resource keeps at most
// 100 properties and 64 KiB of them, each at most 32 KiB; a PROPPATCH past a
// cap fails as a whole, the offending properties 507 Insufficient Storage and
// the rest 424 Failed Dependency (RFC 4918 §9.2, §9.2.1), and changes
// nothing. Stored properties count toward quota-used-bytes (RFC 4331 §3) and
// give their bytes back when removed or when their resource goes; a change
// past the quota is 507 with DAV:quota-not-exceeded (RFC 4331 §6).
import { describe, expect, it } from "vitest";
import { PROP_LIMITS, propBytes } from "../../../src/core/props/limits.js";
import { el } from "../../../src/core/xml/tree.js";
import { dav, multistatus, type Creds } from "../../helpers/dav-client.js";
import { D, cal, home, homeSql, ics, mkcolBody, newUser, principal, propfindOne, propText, proppatchBody, putOk } from "../../helpers/caldav.js";

const NS = "http://example.com/ns/dead";
const DEAD = (local: string) => `{${NS}}${local}`;
/** Dead properties in their own namespace, prefix X. */
const deadBody = (props: Array<[string, string]>, remove: string[] = []) =>
  proppatchBody(
    props.map(([n, v]) => `<X:${n} xmlns:X="${NS}">${v}</X:${n}>`).join(""),
    remove.map((n) => `<X:${n} xmlns:X="${NS}"/>`).join(""),
  );

/** What the server counts for a dead property holding `text`: the same measure the props table is charged with. */
const deadBytes = (local: string, text: string) => propBytes(DEAD(local), el(DEAD(local), [text], {}));

async function proppatch(c: Creds, path: string, body: string): Promise<Map<string, { status: number; error?: string }>> {
  const ms = await multistatus(await dav("PROPPATCH", path, { as: c, body }));
  const out = new Map<string, { status: number; error?: string }>();
  for (const r of ms.values())
    for (const [name, p] of r.props) out.set(name, { status: p.status, ...(p.error ? { error: p.error.children.filter((x) => typeof x !== "string").map((x) => (x as { name: string }).name).join() } : {}) });
  return out;
}

const used = async (c: Creds) => Number(propText(await propfindOne(c, home(c), ["D:quota-used-bytes"]), D("quota-used-bytes")));

async function storedDead(c: Creds): Promise<{ n: number; bytes: number }> {
  const [row] = await homeSql<{ n: number; bytes: number | null }>(
    c.user,
    "SELECT COUNT(*) AS n, SUM(length(CAST(name AS BLOB)) + length(CAST(value AS BLOB))) AS bytes FROM props WHERE name LIKE ?",
    `{${NS}}%`,
  );
  return { n: row!.n, bytes: row!.bytes ?? 0 };
}

const names = (n: number, prefix = "p") => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe("caps on dead properties per resource (RFC 4918 §9.2.1: 507 Insufficient Storage)", () => {
  it("keeps 100 properties on a resource and refuses the 101st with 507, the rest of that request 424, storing none of it", async () => {
    const u = await newUser("dp");
    const obj = `${cal(u)}o.ics`; // an object starts with no stored property (a calendar has its display name)
    await putOk(u, obj, ics());
    const first = await proppatch(u, obj, deadBody(names(PROP_LIMITS.perResource).map((n) => [n, "v"])));
    expect([...first.values()].every((p) => p.status === 200)).toBe(true);
    const after = await storedDead(u);
    expect(after.n).toBe(PROP_LIMITS.perResource);

    // One new property too many, beside a change to an existing one: the new one 507, the change 424.
    const res = await proppatch(u, obj, deadBody([["extra", "v"], ["p0", "changed"]]));
    expect(res.get(DEAD("extra"))!.status).toBe(507);
    expect(res.get(DEAD("p0"))!.status).toBe(424);
    expect(await storedDead(u)).toEqual(after);
    const p0 = await propfindOne(u, obj, [`X:p0 xmlns:X="${NS}"`]);
    expect(propText(p0, DEAD("p0"))).toBe("v");

    // Replacing and removing still work at the cap.
    const swap = await proppatch(u, obj, deadBody([["p1", "w"]], ["p2"]));
    expect([...swap.values()].map((p) => p.status)).toEqual([200, 200]);
    expect((await storedDead(u)).n).toBe(PROP_LIMITS.perResource - 1);
  });

  it("refuses one value over 32 KiB with 507 and the others 424", async () => {
    const u = await newUser("dp");
    const res = await proppatch(u, cal(u), deadBody([["big", "b".repeat(PROP_LIMITS.bytesPerValue)], ["small", "s"]]));
    expect(res.get(DEAD("big"))!.status).toBe(507);
    expect(res.get(DEAD("small"))!.status).toBe(424);
    expect((await storedDead(u)).n).toBe(0);
  });

  it("refuses a change that takes a resource's properties past 64 KiB, and an object's too", async () => {
    const u = await newUser("dp");
    const chunk = "c".repeat(20_000);
    const ok = await proppatch(u, cal(u), deadBody([["a", chunk], ["b", chunk], ["c", chunk]]));
    expect([...ok.values()].every((p) => p.status === 200)).toBe(true);
    const res = await proppatch(u, cal(u), deadBody([["d", chunk]]));
    expect(res.get(DEAD("d"))!.status).toBe(507);
    expect((await storedDead(u)).n).toBe(3);

    const obj = `${cal(u)}o.ics`;
    await putOk(u, obj, ics());
    const onObject = await proppatch(u, obj, deadBody([["a", chunk], ["b", chunk], ["c", chunk], ["d", chunk]]));
    expect([...onObject.values()].map((p) => p.status).sort()).toEqual([507, 507, 507, 507]);
  });

  it("cannot be made to keep the 21,000 properties (23 MB) of the report: each resource keeps at most 100 and 64 KiB", async () => {
    const u = await newUser("dp-flood");
    const value = "x".repeat(1_050);
    let stored = 0;
    for (let batch = 0; batch < 21; batch++) {
      const res = await proppatch(u, cal(u), deadBody(names(1_000, `b${batch}-`).map((n) => [n, value])));
      stored += [...res.values()].filter((p) => p.status === 200).length;
    }
    // The same again in batches small enough to pass the count cap: the size cap stops them.
    for (let batch = 0; batch < 10; batch++) {
      const res = await proppatch(u, home(u), deadBody(names(50, `h${batch}-`).map((n) => [n, value])));
      stored += [...res.values()].filter((p) => p.status === 200).length;
    }
    const kept = await storedDead(u);
    expect(kept.n).toBe(stored);
    expect(kept.n).toBeLessThanOrEqual(2 * PROP_LIMITS.perResource);
    expect(kept.bytes).toBeLessThanOrEqual(2 * PROP_LIMITS.bytesPerResource);
  });

  it("applies the caps to the initial properties of extended MKCOL (RFC 5689 §3.4): 507 and no calendar", async () => {
    const u = await newUser("dp");
    const props = names(PROP_LIMITS.perResource + 1).map((n) => `<X:${n} xmlns:X="${NS}">v</X:${n}>`).join("");
    const res = await dav("MKCOL", cal(u, "crowded"), { as: u, body: mkcolBody(props) });
    expect(res.status).toBe(507); // only space is missing (RFC 4918 §9.3.1)
    expect(await res.text()).toContain("507 Insufficient Storage");
    expect((await dav("PROPFIND", cal(u, "crowded"), { as: u, headers: { Depth: "0" } })).status).toBe(404);
  });
});

describe("dead properties count toward the quota (RFC 4331 §3, §6)", () => {
  it("grows quota-used-bytes by exactly what a property occupies, and shrinks it when the property is removed", async () => {
    const u = await newUser("dpq");
    const start = await used(u);
    const text = "n".repeat(500);
    await proppatch(u, cal(u), deadBody([["note", text]]));
    expect(await used(u)).toBe(start + deadBytes("note", text));
    // Replacing it with a shorter value gives back the difference.
    await proppatch(u, cal(u), deadBody([["note", "short"]]));
    expect(await used(u)).toBe(start + deadBytes("note", "short"));
    await proppatch(u, cal(u), deadBody([], ["note"]));
    expect(await used(u)).toBe(start);
    // The principal's properties are stored in the home and count too.
    await proppatch(u, principal(u), deadBody([["card", text]]));
    expect(await used(u)).toBe(start + deadBytes("card", text));
  });

  it("gives the bytes back when the object or the calendar holding the properties is deleted, and counts copies", async () => {
    const u = await newUser("dpq");
    const start = await used(u);
    expect((await dav("MKCOL", cal(u, "side"), { as: u, body: mkcolBody("") })).status).toBe(201);
    const withCalendar = await used(u);
    const obj = `${cal(u, "side")}o.ics`;
    await putOk(u, obj, ics());
    const withObject = await used(u);
    const text = "o".repeat(3_000);
    await proppatch(u, obj, deadBody([["tag", text]]));
    expect(await used(u)).toBe(withObject + deadBytes("tag", text));
    // A COPY (into another calendar: one UID per calendar) keeps the properties on the copy: they count twice.
    const copy = await dav("COPY", obj, { as: u, headers: { Destination: `http://caldav.test${cal(u)}copy.ics` } });
    expect(copy.status, await copy.clone().text()).toBe(201);
    expect(await used(u)).toBe(withObject + (withObject - withCalendar) + 2 * deadBytes("tag", text));
    expect((await dav("DELETE", `${cal(u)}copy.ics`, { as: u })).status).toBe(204);
    expect(await used(u)).toBe(withObject + deadBytes("tag", text));
    expect((await dav("DELETE", obj, { as: u })).status).toBe(204);
    expect(await used(u)).toBe(withCalendar);
    await proppatch(u, cal(u, "side"), deadBody([["tag", text]]));
    expect((await dav("DELETE", cal(u, "side"), { as: u })).status).toBe(204);
    expect(await used(u)).toBe(start);
  });

  it("refuses a PROPPATCH past the quota with 507 and DAV:quota-not-exceeded, changing nothing, and an MKCOL with 507", async () => {
    const u = await newUser("dpq");
    // The home is almost full: leave 300 octets (white box: filling 1 GiB would prove nothing more).
    const [meta] = await homeSql<{ used: string }>(u.user, "SELECT value AS used FROM meta WHERE key = 'used_bytes'");
    const left = 300;
    const available = Number(propText(await propfindOne(u, home(u), ["D:quota-available-bytes"]), D("quota-available-bytes")));
    const full = Number(meta!.used) + available - left;
    await homeSql(u.user, "UPDATE meta SET value = ? WHERE key = 'used_bytes'", String(full));

    // Together they do not fit: each property that adds octets answers 507, and a removal in the same request 424.
    await proppatch(u, cal(u), deadBody([["old", "o"]]));
    const beforeFull = await used(u);
    const res = await proppatch(u, cal(u), deadBody([["big", "q".repeat(400)], ["tiny", "t"]], ["old"]));
    expect(res.get(DEAD("big"))).toEqual({ status: 507, error: D("quota-not-exceeded") });
    expect(res.get(DEAD("tiny"))).toEqual({ status: 507, error: D("quota-not-exceeded") });
    expect(res.get(DEAD("old"))!.status).toBe(424);
    expect(await used(u)).toBe(beforeFull);
    expect((await storedDead(u)).n).toBe(1);
    await proppatch(u, cal(u), deadBody([], ["old"]));
    expect(await used(u)).toBe(full);
    expect((await storedDead(u)).n).toBe(0);

    // What fits still fits, and removing always works.
    const small = await proppatch(u, cal(u), deadBody([["tiny", "t"]]));
    expect(small.get(DEAD("tiny"))!.status).toBe(200);
    expect(await used(u)).toBe(full + deadBytes("tiny", "t"));
    expect((await proppatch(u, cal(u), deadBody([], ["tiny"]))).get(DEAD("tiny"))!.status).toBe(200);

    const mk = await dav("MKCOL", cal(u, "more"), { as: u, body: mkcolBody(`<D:displayname>${"m".repeat(400)}</D:displayname>`) });
    expect(mk.status).toBe(507);
    expect(await mk.text()).toContain("quota-not-exceeded");
    expect((await dav("PROPFIND", cal(u, "more"), { as: u, headers: { Depth: "0" } })).status).toBe(404);
  });

  it("reports as used exactly the stored objects plus the stored properties", async () => {
    const u = await newUser("dpq");
    await putOk(u, `${cal(u)}a.ics`, ics({ summary: "a".repeat(700) }));
    await proppatch(u, cal(u), deadBody([["x", "1".repeat(900)]]));
    await proppatch(u, home(u), deadBody([["y", "2".repeat(90)]]));
    const [sums] = await homeSql<{ objects: number; props: number }>(
      u.user,
      `SELECT (SELECT SUM(size) FROM objects) AS objects,
              (SELECT SUM(length(CAST(name AS BLOB)) + length(CAST(value AS BLOB))) FROM props) AS props`,
    );
    expect(await used(u)).toBe(sums!.objects + sums!.props);
  });
});
