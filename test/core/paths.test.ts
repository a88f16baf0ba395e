// Request paths and hrefs to locators (RFC 4918 §8.3 hrefs; RFC 3986 §5.2
// reference resolution): an href a client sends in a report body locates the
// same resource whether or not it takes the short way past URL parsing.
import { describe, expect, it } from "vitest";
import { locate, locateHref } from "../../src/core/paths.js";

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
