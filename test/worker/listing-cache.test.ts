// A Depth-1 PROPFIND (RFC 4918 §9.1) of a collection nothing was written to
// is answered from the home's memory (src/home/listing-cache.ts), and every
// kind of write makes the next listing read the rows again: PUT, DELETE,
// PROPPATCH of a member, MOVE, and a scheduling delivery from the queue.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Sql } from "../../src/sql.js";
import { dav, multistatus, propfindBody } from "../helpers/dav-client.js";
import { cal, ics, newUser, proppatchBody, putOk, rnd } from "../helpers/caldav.js";
import { syncBody } from "../helpers/reports.js";

let listingReads = 0;
let restore: (() => void) | undefined;

beforeEach(() => {
  listingReads = 0;
  const proto = Sql.prototype as unknown as { all: (q: string, ...p: unknown[]) => unknown };
  const all = proto.all;
  proto.all = function (this: unknown, q: string, ...p: unknown[]) {
    if (/FROM objects WHERE collection_id = \? ORDER BY name/.test(q)) listingReads++;
    return all.call(this, q, ...p);
  };
  restore = () => (proto.all = all);
});

afterEach(() => restore?.());

const NS = 'xmlns:D="DAV:" xmlns:X="urn:example:lc"';
const listing = async (u: Parameters<typeof cal>[0], props = ["D:getetag"]) => {
  const res = await dav("PROPFIND", cal(u), { as: u, headers: { Depth: "1" }, body: propfindBody(props, NS) });
  return multistatus(res);
};
const etagOf = (ms: Awaited<ReturnType<typeof listing>>, href: string) => ms.get(href)?.props.get("{DAV:}getetag")?.element.children.join("").trim();

describe("the listing of an unchanged collection comes from the home's memory (RFC 4918 §9.1)", () => {
  it("reads the rows once for two listings, and again after each PUT, PROPPATCH, MOVE and DELETE", async () => {
    const u = await newUser("lc");
    const a = `${cal(u)}a.ics`;
    const b = `${cal(u)}b.ics`;
    const uidA = `a-${rnd()}@t`;
    await putOk(u, a, ics({ uid: uidA }));
    await putOk(u, b, ics({ uid: `b-${rnd()}@t` }));

    const first = await listing(u);
    const second = await listing(u);
    expect(listingReads).toBe(1);
    expect(etagOf(second, a)).toBe(etagOf(first, a));

    const etagA = await putOk(u, a, ics({ uid: uidA, summary: "Changed" }));
    const afterPut = await listing(u);
    expect(listingReads).toBe(2);
    expect(etagOf(afterPut, a)).toBe(etagA);

    const patched = await dav("PROPPATCH", b, { as: u, body: proppatchBody('<X:tag xmlns:X="urn:example:lc">blue</X:tag>') });
    expect(patched.status).toBe(207);
    const afterPatch = await listing(u, ["D:getetag", "X:tag"]);
    expect(listingReads).toBe(3);
    expect(afterPatch.get(b)?.props.get("{urn:example:lc}tag")?.element.children.join("")).toBe("blue");

    const moved = await dav("MOVE", b, { as: u, headers: { Destination: `http://caldav.test${cal(u)}c.ics` } });
    expect(moved.status).toBe(201);
    const afterMove = await listing(u);
    expect([...afterMove.keys()].sort()).toEqual([cal(u), a, `${cal(u)}c.ics`].sort());

    expect((await dav("DELETE", a, { as: u })).status).toBe(204);
    const afterDelete = await listing(u);
    expect([...afterDelete.keys()].sort()).toEqual([cal(u), `${cal(u)}c.ics`].sort());
    expect(listingReads).toBe(5);
  });

  it("answers an initial sync-collection (RFC 6578 §3.4) from the same listing, in full and cut at a limit", async () => {
    const u = await newUser("lcs");
    for (const n of ["x", "y", "z"]) await putOk(u, `${cal(u)}${n}.ics`, ics({ uid: `${n}-${rnd()}@t` }));
    const listed = await listing(u);
    const sync = await multistatus(await dav("REPORT", cal(u), { as: u, body: syncBody("") }));
    expect(listingReads).toBe(1);
    for (const n of ["x", "y", "z"]) expect(etagOf(sync, `${cal(u)}${n}.ics`)).toBe(etagOf(listed, `${cal(u)}${n}.ics`));
    // Cut at two: the first two written, and the collection itself answers 507 (RFC 6578 §3.6).
    const cut = await multistatus(await dav("REPORT", cal(u), { as: u, body: syncBody("", { limit: "2" }) }));
    expect([...cut.keys()].sort()).toEqual([cal(u), `${cal(u)}x.ics`, `${cal(u)}y.ics`].sort());
    expect(cut.get(cal(u))?.status).toBe(507);
    expect(listingReads).toBe(1);
  });
});
