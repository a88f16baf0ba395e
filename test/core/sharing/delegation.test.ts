// The pure parts of delegation (calendar-proxy): the proxy groups' URLs, the
// privileges a delegate holds (RFC 3744), and SENT-BY on the owner's
// ATTENDEE when a delegate answers for it (RFC 5545 §3.2.18).
import { describe, expect, it } from "vitest";
import { hrefOf, hrefs, locate } from "../../../src/core/paths.js";
import { privileges } from "../../../src/core/acl.js";
import { answerChanged, withAttendeeSentBy } from "../../../src/core/sharing/sent-by.js";
import { snapshotOfCal } from "../../../src/core/schedule/snapshot.js";
import { readCal } from "../../../src/core/schedule/calendar.js";
import { invalidData } from "../../../src/core/ical/component.js";
import type { CollectionInfo, Principal } from "../../../src/core/model.js";
import type { Resource } from "../../../src/core/props/types.js";

const person = (id: string): Principal => ({ id, displayName: id, type: "INDIVIDUAL", addresses: [`mailto:${id}@example.com`] });

describe("proxy group URLs", () => {
  it("/principals/<u>/calendar-proxy-read/ and -write/ are the groups; anything else below a principal is nothing", () => {
    expect(locate("/principals/boss/calendar-proxy-write/")).toEqual({ kind: "proxy-group", user: "boss", group: "write" });
    expect(locate("/principals/boss/calendar-proxy-read")).toEqual({ kind: "proxy-group", user: "boss", group: "read" });
    expect(locate("/principals/boss/calendar-proxy-other/").kind).toBe("none");
    expect(locate("/principals/boss/calendar-proxy-read/x").kind).toBe("none");
    expect(hrefOf(locate(hrefs.proxyGroup("b o", "read")))).toBe("/principals/b%20o/calendar-proxy-read/");
  });
});

describe("a delegate's privileges", () => {
  const boss = person("boss");
  const calendar = (proxy?: "read" | "write"): CollectionInfo => ({
    id: 1, name: "calendar", kind: "calendar", components: ["VEVENT"], props: {}, rev: 1, syncToken: "t", ctag: "c", created: 0, modified: 0, ...(proxy ? { proxy } : {}),
  });
  const home = { usedBytes: 0, props: {}, created: 0 };
  it("a write delegate writes calendars and objects, never binds in the home; a read delegate only reads; without the home's word, nothing", () => {
    const w: Resource = { kind: "calendar", href: "/calendars/boss/calendar/", owner: boss, home, collection: calendar("write") };
    const r: Resource = { kind: "calendar", href: "/calendars/boss/calendar/", owner: boss, home, collection: calendar("read") };
    const none: Resource = { kind: "calendar", href: "/calendars/boss/calendar/", owner: boss, home, collection: calendar() };
    const h: Resource = { kind: "home", href: "/calendars/boss/", owner: boss, home, proxy: "write" };
    expect(privileges(person("w"), w)).toContain("{DAV:}write-content");
    expect(privileges(person("r"), r)).not.toContain("{DAV:}write-content");
    expect(privileges(person("r"), r)).toContain("{DAV:}read");
    expect(privileges(person("x"), none)).toEqual([]);
    expect(privileges(person("w"), h)).not.toContain("{DAV:}bind");
  });
});

const INVITE = [
  "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//EN", "BEGIN:VEVENT", "UID:u1", "DTSTAMP:20260101T000000Z", "DTSTART:20260601T100000Z",
  "DTEND:20260601T110000Z", "ORGANIZER:mailto:org@example.com", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:org@example.com",
  "ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:boss@example.com", "ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:other@example.com", "END:VEVENT", "END:VCALENDAR", "",
].join("\r\n");

const snapshotOf = (text: string) => snapshotOfCal(readCal(text, invalidData));

describe("SENT-BY on the owner's ATTENDEE (RFC 5545 §3.2.18)", () => {
  it("is set on the owner's ATTENDEE only, once", () => {
    const out = withAttendeeSentBy(INVITE, "mailto:w@example.com", ["mailto:BOSS@example.com"])!;
    const flat = out.replace(/\r\n[ \t]/g, "");
    expect(flat).toMatch(/\r\nATTENDEE;[^\r\n]*SENT-BY="?mailto:w@example.com"?[;:][^\r\n]*mailto:boss@example.com\r\n/i);
    expect(flat).not.toMatch(/SENT-BY[^\r\n]*other@example.com/);
    expect(flat).not.toMatch(/ORGANIZER;[^\r\n]*SENT-BY/);
    expect(withAttendeeSentBy(out, "mailto:w@example.com", ["mailto:boss@example.com"])).toBeNull();
  });

  it("answerChanged says whether the owner's PARTSTAT moved", () => {
    const before = snapshotOf(INVITE);
    const after = snapshotOf(INVITE.replace("PARTSTAT=NEEDS-ACTION:mailto:boss", "PARTSTAT=ACCEPTED:mailto:boss"));
    const other = snapshotOf(INVITE.replace("PARTSTAT=NEEDS-ACTION:mailto:other", "PARTSTAT=ACCEPTED:mailto:other"));
    expect(answerChanged(before, after!, ["mailto:boss@example.com"])).toBe(true);
    expect(answerChanged(before, other!, ["mailto:boss@example.com"])).toBe(false);
  });
});
