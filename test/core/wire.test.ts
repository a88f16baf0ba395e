// ObjectInfo lists cross Durable Object RPC packed in columns (src/core/wire.ts):
// unpacking gives back exactly what was packed, properties and bodies included.
import { describe, expect, it } from "vitest";
import type { ObjectInfo } from "../../src/core/model.js";
import { packObjects, unpackObjects } from "../../src/core/wire.js";

const object = (i: number, extra: Partial<ObjectInfo> = {}): ObjectInfo => ({
  collection: "calendar", name: `e${i}.ics`, uid: `uid-${i}@example.com`, component: i % 3 ? "VEVENT" : "VTODO", etag: `"etag-${i}"`,
  scheduleTag: i % 4 === 0 ? `"st-${i}"` : null, size: 100 + i, bodyKey: i % 5 === 0 ? `bodies/k${i}` : "", rev: i * 2 + 1,
  created: 1_700_000_000_000 + i, modified: 1_700_000_100_000 + i, props: {}, ...extra,
});

describe("packed object lists (core/wire.ts)", () => {
  it("round-trips members with and without properties, bodies and Schedule-Tags, in order", () => {
    const list = Array.from({ length: 40 }, (_, i) =>
      object(i, {
        ...(i % 7 === 0 ? { props: { "{urn:x}tag": { name: "{urn:x}tag", attrs: {}, children: [`t${i}`] } } } : {}),
        ...(i % 3 === 0 ? { body: `BEGIN:VCALENDAR\r\nX-N:${i}\r\nEND:VCALENDAR\r\n` } : {}),
      }),
    );
    expect(unpackObjects(packObjects(list))).toEqual(list);
  });

  it("round-trips an empty list and an empty body", () => {
    expect(unpackObjects(packObjects([]))).toEqual([]);
    const one = [object(1, { body: "" })];
    expect(unpackObjects(packObjects(one))).toEqual(one);
  });

  it("survives structured cloning, as Durable Object RPC does", () => {
    const list = [object(1), object(2, { body: "x" })];
    expect(unpackObjects(structuredClone(packObjects(list)))).toEqual(list);
  });
});
