// cloneJCal (src/core/ical/jcal-clone.ts) copies a parsed calendar's jCal
// (RFC 7265) for expansion (RFC 4791 §9.6.5) and iTIP messages (RFC 6638):
// the copy must equal what structuredClone made before, and changing it must
// leave the parse it came from (which the request still reads) as it was.
import ICAL from "ical.js";
import { describe, expect, it } from "vitest";
import { cloneJCal } from "../../../src/core/ical/jcal-clone.js";

const ALL = import.meta.glob<string>("../../fixtures/**/*.ics", { query: "?raw", import: "default", eager: true });

type Tree = unknown[];

/** Every array and object in a tree, for changing all of them. */
function nodes(v: unknown, out: object[] = []): object[] {
  if (typeof v === "object" && v !== null) {
    out.push(v);
    for (const x of Array.isArray(v) ? v : Object.values(v)) nodes(x, out);
  }
  return out;
}

describe("cloneJCal: a deep copy of a jCal tree (RFC 7265)", () => {
  it("equals structuredClone's copy for every fixture, multi-valued parameters included", () => {
    let n = 0;
    for (const [file, text] of Object.entries(ALL)) {
      let jcal: Tree;
      try {
        jcal = ICAL.parse(text) as Tree;
      } catch {
        continue; // the malformed fixtures: nothing parsed to copy
      }
      expect(cloneJCal(jcal), file).toStrictEqual(structuredClone(jcal));
      n++;
    }
    expect(n).toBeGreaterThan(20);
    const multi = ICAL.parse("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nATTENDEE;MEMBER=\"mailto:a@x\",\"mailto:b@x\":mailto:c@x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n") as Tree;
    expect(cloneJCal(multi)).toStrictEqual(structuredClone(multi));
  });

  it("shares no array or object with the original: changing the copy leaves the parse as it was", () => {
    for (const [file, text] of Object.entries(ALL)) {
      let jcal: Tree;
      try {
        jcal = ICAL.parse(text) as Tree;
      } catch {
        continue;
      }
      const before = JSON.stringify(jcal);
      const copy = cloneJCal(jcal);
      const originals = new Set(nodes(jcal));
      const copied = nodes(copy);
      expect(copied.filter((x) => originals.has(x)), file).toEqual([]);
      for (const x of copied) {
        if (Array.isArray(x)) x.push("changed");
        else (x as Record<string, unknown>)["x-changed"] = "yes";
      }
      expect(JSON.stringify(jcal), file).toBe(before);
    }
  });
});
