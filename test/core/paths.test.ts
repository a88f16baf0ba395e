// Request paths and hrefs to locators (RFC 4918 §8.3 hrefs; RFC 3986 §5.2
// reference resolution): an href a client sends in a report body locates the
// same resource whether or not it takes the short way past URL parsing.
import { describe, expect, it } from "vitest";
import { hrefs, locate, locateHref, memberHref, plainMember } from "../../src/core/paths.js";

const base = new URL("https://cal.example.com/calendars/alice/calendar/");
/** The long way every href used to take: resolve against the request URL, then locate its path. */
const slow = (href: string) => {
  try {
    const url = new URL(href, base);
    return url.origin === base.origin ? locate(url.pathname) : { kind: "none" };
  } catch {
    return { kind: "none" };
  }
};

describe("locateHref (RFC 3986 §5.2)", () => {
  const hrefs = [
    "/calendars/alice/calendar/ev-1.ics",
    "/calendars/alice/calendar/",
    "/calendars/alice/calendar/a%20b.ics",
    "/calendars/alice/calendar/%C3%A9v%C3%A9nement.ics",
    "/calendars/alice/calendar/x@y:z;k=v,w+(1)!$&'*.ics",
    "/calendars/alice/calendar/./ev-1.ics",
    "/calendars/alice/other/../calendar/ev-1.ics",
    "/calendars/alice/calendar/%2e%2E/ev.ics",
    "/calendars/alice/calendar/.hidden.ics",
    "/calendars/alice/calendar/..ics",
    "//evil.example/calendars/alice/calendar/ev.ics",
    "/calendars/alice/calendar/ev 1.ics",
    "/calendars/alice/calendar/ev-1.ics?x=1",
    "/calendars/alice/calendar/ev-1.ics#frag",
    "https://cal.example.com/calendars/alice/calendar/ev-1.ics",
    "https://other.example/calendars/alice/calendar/ev-1.ics",
    "ev-1.ics",
    "../calendar/ev-1.ics",
    "/calendars\\alice\\calendar\\ev.ics",
    "/",
    "/principals/alice/",
  ];
  for (const href of hrefs)
    it(`locates ${JSON.stringify(href)} as URL resolution does`, () => {
      expect(locateHref(href, base)).toEqual(slow(href));
    });
});

describe("locate decodes percent-encoded segments (RFC 3986 §2.1)", () => {
  const object = (name: string) => ({ kind: "object", user: "alice", collection: "calendar", name });
  it("decodes an escaped octet, and leaves a segment without one as it is", () => {
    expect(locate("/calendars/alice/calendar/a%20b.ics")).toEqual(object("a b.ics"));
    expect(locate("/calendars/alice/calendar/%C3%A9v.ics")).toEqual(object("év.ics"));
    expect(locate("/calendars/alice/calendar/plain-name.ics")).toEqual(object("plain-name.ics"));
  });
  it("locates nothing for a malformed escape, bad UTF-8 or an escaped slash", () => {
    for (const name of ["%zz.ics", "%E9.ics", "a%2Fb.ics", "%", "%2e%2e"])
      expect(locate(`/calendars/alice/calendar/${name}`)).toEqual({ kind: "none" });
  });
});

describe("memberHref: a collection's member hrefs (RFC 4918 §8.3), its own part encoded once", () => {
  it("writes what hrefs.object writes, for names and collections that need encoding and those that do not", () => {
    const names = ["ev-1.ics", "a b.ics", "ü%.ics", "x@y:z.ics", "semi;colon.ics", "#hash?.ics"];
    for (const [user, collection] of [["alice", "calendar"], ["bob smith", "Mein Kalender"], ["c", "x%y"]] as const) {
      const of = memberHref(user, collection);
      for (const name of names) {
        expect(of(name)).toBe(hrefs.object(user, collection, name));
        expect(locate(of(name))).toEqual({ kind: "object", user, collection, name });
      }
    }
  });
});

describe("plainMember: a multiget's hrefs located without URL parsing (RFC 4791 §7.9, RFC 3986 §5.2)", () => {
  it("finds what locateHref finds for every href it takes, and leaves the rest to it", () => {
    const base = new URL("http://h.example/calendars/bob%20smith/Mein%20Kalender/");
    const collection = hrefs.collection("bob smith", "Mein Kalender");
    const names = ["ev-1.ics", "x@y:z.ics", "a=b&c.ics", "a".repeat(85), "a".repeat(86), ".", "..", "", "a b.ics", "a%20b.ics", "q?x.ics", "h#x.ics", "x/y.ics", "..%2f", "ü.ics"];
    const prefixes = [collection, "/calendars/bob smith/Mein Kalender/", "/calendars/bob%20smith/Mein%20Kalender", "/calendars/bob%20smith/other/", "http://h.example" + collection, "//h.example" + collection];
    let taken = 0;
    for (const p of prefixes)
      for (const n of names) {
        const href = p + n;
        const plain = plainMember(href, collection);
        if (plain === undefined) continue;
        taken++;
        expect(locateHref(href, base)).toEqual({ kind: "object", user: "bob smith", collection: "Mein Kalender", name: plain });
      }
    // The plain names under the canonical path are taken; everything else is left to locateHref.
    expect(taken).toBe(4);
    expect(plainMember(collection + "ev-1.ics", collection)).toBe("ev-1.ics");
    expect([".", "..", "", "a%20b.ics", "q?x.ics", "x/y.ics", "a".repeat(86)].map((n) => plainMember(collection + n, collection))).toEqual(Array(7).fill(undefined));
  });
});
