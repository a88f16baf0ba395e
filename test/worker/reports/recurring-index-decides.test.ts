// A calendar-query whose filter is only "VEVENT in this time range" (RFC 4791
// §7.8, §9.9) decides a recurring event from its instance index, without
// reading and expanding its body, when the index holds every instance's exact
// span (schema v16 inst_exact: zoned, each instance of positive length) and
// covers the range. That must be the same answer the body's expansion gives:
// every range below is asked both ways (the second with a prop-filter that
// makes the index unable to decide), over real clients' recurring events and
// over instances that touch the range's ends, were removed or moved.
import { describe, expect, it } from "vitest";
import { dav } from "../../helpers/dav-client.js";
import { cal, homeSql, newUser, put } from "../../helpers/caldav.js";

const ALL = import.meta.glob<string>("../../fixtures/ics/**/*.ics", { query: "?raw", import: "default", eager: true });
const RECURRING = Object.entries(ALL).filter(([file, text]) =>
  !/\/(hostile|escapes|import|calendar-timezone)\//.test(file) && /BEGIN:VEVENT/.test(text) && /^(RRULE|RDATE|RECURRENCE-ID)/m.test(text));

const query = (start: string, end: string, forceBodies: boolean) =>
  `<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><C:filter>` +
  `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="${start}" end="${end}"/>` +
  (forceBodies ? `<C:prop-filter name="UID"/>` : "") + `</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`;

const utc = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
const H = 3_600_000;

describe("recurring events decided from their instance index (RFC 4791 §9.9)", () => {
  it("answers every range as the expansion of the body does", async () => {
    const u = await newUser("rid");
    const stored: string[] = [];
    for (const [file, text] of RECURRING) {
      const name = file.split("/").pop()!;
      const res = await put(u, `${cal(u)}${name}`, text);
      if (res.status === 201) stored.push(name);
    }
    expect(stored).toEqual(expect.arrayContaining(["recurring-exdate-override.ics", "recurring-berlin-duration-dst.ics", "recurring-zero-length.ics", "recurring-far-future.ics"]));
    // The index holds exact spans for the zoned events of positive length, not for the zero-length one.
    const flags = new Map((await homeSql<{ name: string; inst_exact: number }>(u.user, "SELECT name, inst_exact FROM objects")).map((r) => [r.name, r.inst_exact]));
    expect(flags.get("recurring-exdate-override.ics")).toBe(1);
    expect(flags.get("recurring-berlin-duration-dst.ics")).toBe(1);
    expect(flags.get("recurring-zero-length.ics")).toBe(0);
    // A set that ends is indexed whole, years past the horizon of endless ones.
    const [far] = await homeSql<{ inst_exact: number; inst_until: number }>(u.user, "SELECT inst_exact, inst_until FROM objects WHERE name = 'recurring-far-future.ics'");
    expect(far).toEqual({ inst_exact: 1, inst_until: 8.64e15 });

    const ranges: Array<[number, number]> = [];
    const base = Date.UTC(2026, 2, 1);
    for (let d = 0; d < 45; d++) ranges.push([base + d * 24 * H, base + (d + 1) * 24 * H]);
    // Hours around the weekly instances (10:00-11:00Z on Mondays), the removed one (16 March), the moved one (31 March
    // 14:00-15:30Z) and the Berlin evenings: ranges that end where an instance starts or start where one ends.
    for (const day of [2, 9, 16, 23, 30, 31]) for (let h = 8; h < 17; h++) ranges.push([Date.UTC(2026, 2, day, h), Date.UTC(2026, 2, day, h + 1)]);
    for (const day of [20, 22, 27, 29]) for (let h = 20; h < 24; h++) ranges.push([Date.UTC(2026, 2, day, h, 30), Date.UTC(2026, 2, day, h + 1, 30)]);
    ranges.push([Date.UTC(2026, 2, 2, 11), Date.UTC(2026, 2, 9, 10)]); // between two instances, touching both
    ranges.push([Date.UTC(2026, 2, 2, 10, 59, 59), Date.UTC(2026, 2, 2, 11)]); // the last second of one
    ranges.push([Date.UTC(2020, 0, 1), Date.UTC(2030, 0, 1)]);
    // Around the series eight years ahead (Mondays 10:00-11:00Z from 6 March 2034, 20 March removed).
    for (const day of [6, 13, 20, 27]) for (let h = 9; h < 12; h++) ranges.push([Date.UTC(2034, 2, day, h), Date.UTC(2034, 2, day, h + 1)]);
    ranges.push([Date.UTC(2034, 0, 1), Date.UTC(2035, 0, 1)]);

    let differing = 0;
    let matched = 0;
    let unmatched = 0;
    for (const [a, b] of ranges) {
      const names = async (force: boolean) => {
        const res = await dav("REPORT", cal(u), { as: u, headers: { Depth: "1" }, body: query(utc(a), utc(b), force) });
        expect(res.status).toBe(207);
        return [...(await res.text()).matchAll(/<D:href>[^<]*\/([^/<]+\.ics)<\/D:href>/g)].map((m) => m[1]!).sort();
      };
      const fromIndex = await names(false);
      const fromBodies = await names(true);
      if (JSON.stringify(fromIndex) !== JSON.stringify(fromBodies)) differing++;
      expect(fromIndex, `${utc(a)}..${utc(b)}`).toEqual(fromBodies);
      if (fromIndex.includes("recurring-exdate-override.ics")) matched++;
      else unmatched++;
    }
    expect(differing).toBe(0);
    // Both answers occur for the event the ranges were drawn around.
    expect(matched).toBeGreaterThan(10);
    expect(unmatched).toBeGreaterThan(10);
  });
});
