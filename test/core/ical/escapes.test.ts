// The TEXT escape scanner (RFC 5545 §3.3.11): which escapes a TEXT value may
// hold, which values are TEXT (§3.2.20 VALUE, §3.8.8.1-2 X- and IANA
// defaults, RFC 7986, RFC 9073), unfolding (§3.1), and that every fixture a
// real client or an RFC example produced still passes.
import { describe, expect, it } from "vitest";
import { DavError } from "../../../src/core/errors.js";
import { contentLines, splitLine } from "../../../src/core/ical/content-line.js";
import { checkTextEscapes, invalidEscapeAt } from "../../../src/core/ical/escapes.js";
import { invalidData } from "../../../src/core/ical/component.js";
import { parseCalendarObject } from "../../../src/core/ical/parse.js";
import { valueType } from "../../../src/core/ical/value-types.js";
import { cal, vevent } from "./helpers.js";

/** Every .ics file under test/fixtures, by path (Vite bundles them as strings). */
const ALL = import.meta.glob<string>("../../fixtures/**/*.ics", { query: "?raw", import: "default", eager: true });
const named = (prefix: string) =>
  Object.entries(ALL)
    .filter(([path]) => path.includes(`/escapes/${prefix}`))
    .map(([path, text]) => [path.replace(/^.*\//, ""), text] as const);
const INVALID = named("invalid-");
const VALID = named("valid-");

/** The description the check fails with, or null when it passes. */
function failure(text: string): string | null {
  try {
    checkTextEscapes(text, invalidData);
    return null;
  } catch (e) {
    if (!(e instanceof DavError)) throw e;
    expect(e.status).toBe(403);
    expect(e.condition?.name).toBe("{urn:ietf:params:xml:ns:caldav}valid-calendar-data");
    return e.message;
  }
}

describe("escapes in TEXT values (RFC 5545 §3.3.11)", () => {
  it("allows exactly \\\\, \\;, \\, \\N and \\n", () => {
    for (const ok of ["\\\\", "\\;", "\\,", "\\N", "\\n", "a\\\\\\nb", "no escapes", ""]) expect(invalidEscapeAt(ok), ok).toBe(-1);
    for (const [bad, at] of [["\\\"", 0], ["x\\:", 1], ["\\t", 0], ["a\\", 1], ["\\\\\\", 2], ["\\a", 0], ["\\ ", 0], ["\\é", 0]] as const)
      expect(invalidEscapeAt(bad), bad).toBe(at);
  });

  it.each(INVALID)("refuses %s with 403 CALDAV:valid-calendar-data naming the line and the escape", (_name, text) => {
    const message = failure(text);
    expect(message).toMatch(/^line \d+: invalid escape /);
    // The parser alone would have taken it (an iTIP request is no calendar object resource: the outbox test shows it).
    if (!/^METHOD:/m.test(text)) expect(() => parseCalendarObject(text)).not.toThrow();
  });

  it("names the physical line of the backslash, also when a fold separates it from what it escapes, and what follows it", () => {
    const byName = new Map(INVALID);
    expect(failure(byName.get("invalid-dquote-in-summary.ics")!)).toMatch(/^line 9: invalid escape "\\"" in SUMMARY/);
    // The backslash ends line 10; the character it fails to escape opens line 11.
    expect(failure(byName.get("invalid-escape-across-fold.ics")!)).toMatch(/^line 10: invalid escape "\\"" in DESCRIPTION/);
    expect(failure(byName.get("invalid-trailing-backslash-in-comment.ics")!)).toMatch(/a backslash at the end of the value in COMMENT/);
    expect(failure(byName.get("invalid-escape-in-tzname.ics")!)).toMatch(/^line 11: .* in TZNAME/);
  });

  it.each(VALID)("accepts %s", (_name, text) => {
    expect(failure(text)).toBeNull();
    expect(() => parseCalendarObject(text)).not.toThrow();
  });

  it("accepts every fixture of real clients and RFC examples under test/fixtures (other than the invalid-escape ones)", () => {
    const others = Object.entries(ALL).filter(([path]) => !path.includes("/escapes/invalid-"));
    expect(others.length).toBeGreaterThan(40);
    for (const [path, text] of others) expect(failure(text), path).toBeNull();
  });

  it("works on unfolded lines with CRLF, LF or CR endings (RFC 5545 §3.1)", () => {
    for (const eol of ["\r\n", "\n", "\r"]) {
      const split = cal(vevent("SUMMARY:ok\\", " n")).replace(/\r\n/g, eol);
      expect(failure(split), JSON.stringify(eol)).toBeNull();
      const bad = cal(vevent("SUMMARY:bad\\", ' "')).replace(/\r\n/g, eol);
      expect(failure(bad), JSON.stringify(eol)).toMatch(/invalid escape "\\""/);
      // A fold is removed with exactly one space: "\" then a space is no escape.
      expect(failure(cal(vevent("SUMMARY:bad\\", "  n")).replace(/\r\n/g, eol))).toMatch(/invalid escape "\\ "/);
    }
  });
});

describe("which values are TEXT (RFC 5545 §3.2.20, §3.3, §3.8.8.1-2)", () => {
  it("takes the RFCs' defaults, TEXT for X- and unknown IANA names, and VALUE= over both", () => {
    const table: Array<[string, string | undefined, string | null]> = [
      ["SUMMARY", undefined, "TEXT"],
      ["summary", undefined, "TEXT"],
      ["CATEGORIES", undefined, "TEXT"],
      ["REQUEST-STATUS", undefined, "TEXT"],
      ["TZNAME", undefined, "TEXT"],
      ["X-WR-CALNAME", undefined, "TEXT"],
      ["NEW-IANA-PROPERTY", undefined, "TEXT"],
      ["URL", undefined, "URI"],
      ["ATTACH", undefined, "URI"],
      ["TZURL", undefined, "URI"],
      ["CONFERENCE", undefined, "URI"],
      ["ORGANIZER", undefined, "CAL-ADDRESS"],
      ["ATTENDEE", undefined, "CAL-ADDRESS"],
      ["RRULE", undefined, "RECUR"],
      ["EXRULE", undefined, "RECUR"],
      ["DTSTART", undefined, "DATE-TIME"],
      ["GEO", undefined, "FLOAT"],
      ["STYLED-DESCRIPTION", undefined, null],
      ["STYLED-DESCRIPTION", "TEXT", "TEXT"],
      ["X-APPLE-STRUCTURED-LOCATION", "URI", "URI"],
      ["DESCRIPTION", "uri", "URI"],
      ["X-THING", "BINARY", "BINARY"],
    ];
    for (const [name, value, type] of table) expect(valueType(name, value), `${name};VALUE=${value}`).toBe(type);
  });

  it("does not look at values that are not TEXT, nor at parameter values (RFC 6868 uses ^, not \\)", () => {
    const lines = [
      "URL:file://server/share\\x.html",
      "ATTACH:file:///C:/a\\b.pdf",
      "TZURL:http://tz.example/\\x",
      "ORGANIZER;CN=CORP\\jdoe:mailto:a@example.com",
      'ATTENDEE;CN="CORP\\b":mailto:b@example.com',
      "CONFERENCE;VALUE=URI;LABEL=\\x:https://v.example/\\y",
      "X-LINK;VALUE=URI:https://example.com/\\z",
      "STYLED-DESCRIPTION:https://example.com/\\q",
      'DESCRIPTION;ALTREP="cid:x\\y;z:w":fine\\, really',
    ];
    for (const line of lines) expect(failure(cal(vevent("DTSTART:20250101T100000Z", line))), line).toBeNull();
    // The same backslashes in a TEXT value are refused.
    expect(failure(cal(vevent("DTSTART:20250101T100000Z", 'DESCRIPTION;ALTREP="cid:x\\y;z:w":not\\ fine')))).toMatch(/in DESCRIPTION/);
    expect(failure(cal(vevent("DTSTART:20250101T100000Z", "X-LINK:https://example.com/\\z")))).toMatch(/in X-LINK/);
  });
});

describe("content lines (RFC 5545 §3.1)", () => {
  it("unfolds continuation lines and remembers where each piece came from", () => {
    const lines = [...contentLines("A:1\r\nB:2\r\n 3\r\n\t4\r\n\r\nC:5")];
    expect(lines.map((l) => l.text)).toEqual(["A:1", "B:234", "C:5"]);
    expect([0, 2, 3, 4].map((o) => lines[1]!.lineOf(o))).toEqual([2, 2, 3, 4]);
    expect(lines[2]!.lineOf(0)).toBe(6);
  });

  it("splits name, parameters and value, with quoted parameter values holding ; : and ,", () => {
    const p = splitLine('DESCRIPTION;ALTREP="cid:a;b,c";LANGUAGE=en,de;VALUE=TEXT:x:y');
    expect(p?.name).toBe("DESCRIPTION");
    expect(p?.params.get("ALTREP")).toBe("cid:a;b,c");
    expect(p?.params.get("LANGUAGE")).toBe("en");
    expect(p?.params.get("VALUE")).toBe("TEXT");
    expect('DESCRIPTION;ALTREP="cid:a;b,c";LANGUAGE=en,de;VALUE=TEXT:x:y'.slice(p!.valueAt)).toBe("x:y");
    for (const bad of ["", ":x", 'A;B="open:x', "A;B:x", "A x:y"]) expect(splitLine(bad), bad).toBeNull();
  });
});
