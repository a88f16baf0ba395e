// Splitting an uploaded .ics into calendar objects by UID (RFC 4791 §4.1) and
// joining a calendar back into one .ics (RFC 5545 §3.6.5: each VTIMEZONE once).
import { describe, expect, it } from "vitest";
import google from "../../fixtures/ics/import/google-export.ics?raw";
import recurring from "../../fixtures/ics/import/recurring-overrides.ics?raw";
import tasks from "../../fixtures/ics/import/tasks.ics?raw";
import vcard from "../../fixtures/ics/import/not-icalendar.vcf?raw";
import oneBad from "../../fixtures/ics/import/one-bad-event.ics?raw";
import { IMPORT_LIMITS, ImportRefused, splitCalendarFile, splitCalendarText, type SplitObject } from "../../../src/core/ical/import-split.js";
import { CalendarJoin } from "../../../src/core/ical/export-join.js";
import { parseCalendarObject } from "../../../src/core/ical/parse.js";
import { generatedIcs } from "../../helpers/import-files.js";

const objects = (text: string): SplitObject[] => [...splitCalendarText(text).objects()];
const count = (text: string, re: RegExp) => (text.match(re) ?? []).length;
const utf8 = new TextEncoder();

describe("splitting an export into calendar objects", () => {
  it("keeps a master and its override together, with the VTIMEZONEs they name and no others (Google export)", () => {
    const objs = objects(google);
    expect(objs.map((o) => o.uid).sort()).toEqual([
      "0c1k8a7vq2f3hfj4o6dl2b8d6a@google.com", "2m9s0rq4ue1h2kq0c3l8gk7b3d@google.com",
      "6h3kq1v0c9a8m7b6n5l4k3j2i1@google.com", "7p2l0o9i8u7y6t5r4e3w2q1a0z@google.com",
    ]);
    const standup = objs.find((o) => o.uid.startsWith("2m9s"))!;
    expect(count(standup.text, /^BEGIN:VEVENT/gm)).toBe(2);
    expect(count(standup.text, /^RECURRENCE-ID/gm)).toBe(1);
    expect(count(standup.text, /^TZID:America\/New_York/gm)).toBe(1);
    expect(standup.text).not.toContain("Europe/London");
    expect(objs.find((o) => o.uid.startsWith("7p2l"))!.text).toContain("TZID:Europe/London");
    expect(objs.find((o) => o.uid.startsWith("0c1k"))!.text).not.toContain("BEGIN:VTIMEZONE");
    // METHOD belongs to iTIP, not to a stored object (RFC 4791 §4.1); every object is valid on its own.
    for (const o of objs) {
      expect(o.text).not.toContain("METHOD:");
      expect(parseCalendarObject(o.text).uid).toBe(o.uid);
    }
    expect(standup.text.split("\r\n").every((l, i, a) => i === a.length - 1 || l.length > 0)).toBe(true);
  });

  it("groups overrides written apart from their master (Apple export), and splits a task list", () => {
    const objs = objects(recurring);
    expect(objs).toHaveLength(2);
    const choir = parseCalendarObject(objs.find((o) => o.uid.endsWith("0001"))!.text);
    expect(choir.overrides).toHaveLength(2);
    const todos = objects(tasks);
    expect(todos.map((o) => o.component)).toEqual(["VTODO", "VTODO", "VTODO"]);
  });

  it("refuses a file that is not iCalendar, with the reason", () => {
    expect(() => splitCalendarFile(utf8.encode(vcard))).toThrow(ImportRefused);
    expect(() => splitCalendarFile(utf8.encode(vcard))).toThrow(/not an iCalendar file: line 1: expected BEGIN:VCALENDAR/);
    expect(() => splitCalendarFile(utf8.encode("<html><body>Sign in</body></html>"))).toThrow(/not an iCalendar file/);
    expect(() => splitCalendarFile(new Uint8Array([0x42, 0xff, 0xfe, 0x00]))).toThrow(/not UTF-8/);
    expect(() => splitCalendarFile(utf8.encode(""))).toThrow(/not an iCalendar file/);
    expect(() => splitCalendarText("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")).toThrow(/no events, to-dos/);
    expect(() => splitCalendarText("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VTODO\r\nEND:VCALENDAR\r\n")).toThrow(/line 4: END:VTODO does not close BEGIN:VEVENT/);
  });

  it("splits a file with one bad event like the others: the bad one fails later, alone", () => {
    const objs = objects(oneBad);
    expect(objs).toHaveLength(4);
    const results = objs.map((o) => { try { parseCalendarObject(o.text); return "ok"; } catch (e) { return (e as Error).message; } });
    expect(results.filter((r) => r === "ok")).toHaveLength(3);
    expect(results.find((r) => r !== "ok")).toMatch(/unknown TZID "Pacific Mars Time"/);
  });

  it("skips a UID whose components have different types, and components without UID, with reasons", () => {
    const text = [
      "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:x",
      "BEGIN:VEVENT", "UID:same", "DTSTAMP:20250101T000000Z", "DTSTART:20250101T100000Z", "END:VEVENT",
      "BEGIN:VTODO", "UID:same", "DTSTAMP:20250101T000000Z", "END:VTODO",
      "BEGIN:VEVENT", "DTSTAMP:20250101T000000Z", "DTSTART:20250101T100000Z", "END:VEVENT",
      "BEGIN:VEVENT", "UID:fine", "DTSTAMP:20250101T000000Z", "DTSTART:20250101T100000Z", "END:VEVENT",
      "END:VCALENDAR", "",
    ].join("\r\n");
    const split = splitCalendarText(text);
    expect([...split.objects()].map((o) => o.uid)).toEqual(["fine"]);
    expect(split.skipped).toEqual([
      { uid: "", reason: "line 13: VEVENT without UID (RFC 5545 §3.8.4.7)" },
      { uid: "same", reason: expect.stringMatching(/different types \(VEVENT, VTODO\)/) },
    ]);
  });

  it("splits a file of 20,000 events and over 10 MB, within the documented limits", () => {
    const file = generatedIcs(20_000, "gen", 420);
    const bytes = utf8.encode(file.text);
    expect(bytes.byteLength).toBeGreaterThan(10 * 1024 * 1024);
    expect(bytes.byteLength).toBeLessThan(IMPORT_LIMITS.maxBytes);
    const started = performance.now();
    const split = splitCalendarFile(bytes);
    let n = 0;
    for (const o of split.objects()) if (o.text.includes("BEGIN:VEVENT")) n++;
    expect(n).toBe(20_000);
    expect(split.skipped).toEqual([]);
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  it("refuses more than the limit of objects", () => {
    expect(() => splitCalendarText(generatedIcs(IMPORT_LIMITS.maxObjects + 1).text)).toThrow(/more than 25000 calendar objects/);
  });
});

describe("joining a calendar into one .ics", () => {
  it("writes one VCALENDAR, each VTIMEZONE once before its first use, every component", () => {
    const join = new CalendarJoin();
    const objs = objects(google).concat(objects(recurring));
    const text = join.head("Work; old, \"mine\"") + objs.map((o) => join.add(o.text)).join("") + join.tail();
    expect(count(text, /^BEGIN:VCALENDAR/gm)).toBe(1);
    expect(count(text, /^TZID:America\/New_York/gm)).toBe(1);
    expect(count(text, /^TZID:Europe\/Berlin/gm)).toBe(1);
    expect(count(text, /^BEGIN:VEVENT/gm)).toBe(9);
    expect(text).toContain("X-WR-CALNAME;VALUE=TEXT:Work\\; old\\, \"mine\"");
    expect(text.indexOf("TZID:Europe/London")).toBeLessThan(text.indexOf("TZID=Europe/London"));
    // The joined file splits back into the same objects.
    expect(objects(text).map((o) => o.uid).sort()).toEqual(objs.map((o) => o.uid).sort());
  });
});
