// The home's listing cache (src/home/listing-cache.ts): a listing is served
// from memory only while the database's write version is unchanged, and the
// memory it holds stays under its bound whatever the members carry.
import { describe, expect, it } from "vitest";
import type { ObjectInfo } from "../../src/core/model.js";
import { ListingCache } from "../../src/home/listing-cache.js";
import type { Sql } from "../../src/sql.js";

const member = (i: number, props: ObjectInfo["props"] = {}): ObjectInfo => ({
  collection: "calendar", name: `e${i}.ics`, uid: `u${i}`, component: "VEVENT", etag: `"${i}"`, scheduleTag: null, size: 1,
  bodyKey: "", rev: i, created: 0, modified: 0, props,
});
const fakeSql = () => ({ version: 0 }) as { version: number };

describe("ListingCache", () => {
  it("reads again once anything may have been written, and not before", () => {
    const sql = fakeSql();
    const cache = new ListingCache();
    let reads = 0;
    const read = () => (reads++, [member(1), member(2)]);
    cache.get(sql as unknown as Sql, 1, read);
    cache.get(sql as unknown as Sql, 1, read);
    expect(reads).toBe(1);
    sql.version++;
    cache.get(sql as unknown as Sql, 1, read);
    expect(reads).toBe(2);
  });

  it("keeps no listing larger than its bound, counting the members' dead properties", () => {
    const sql = fakeSql() as unknown as Sql;
    const cache = new ListingCache(100_000);
    const big = { "{urn:x}p": { name: "{urn:x}p", attrs: {}, children: ["x".repeat(60_000)] } };
    let reads = 0;
    const read = () => (reads++, [member(1, big)]);
    cache.get(sql, 1, read);
    cache.get(sql, 1, read);
    expect(reads).toBe(2);
  });

  it("drops the oldest listing to make room for a new one", () => {
    const sql = fakeSql() as unknown as Sql;
    const cache = new ListingCache(400 * 150);
    const counts = new Map<number, number>();
    const reader = (id: number) => () => (counts.set(id, (counts.get(id) ?? 0) + 1), Array.from({ length: 100 }, (_, i) => member(i)));
    cache.get(sql, 1, reader(1));
    cache.get(sql, 2, reader(2)); // 1 is dropped: both do not fit
    cache.get(sql, 2, reader(2));
    cache.get(sql, 1, reader(1));
    expect(counts.get(2)).toBe(1);
    expect(counts.get(1)).toBe(2);
  });
});
