// The HTTP edge against hostile requests: a declared Content-Length over the
// cap is answered 413 without keeping the body, within a second of the
// client's silence (RFC 9110 §15.5.14, RFC 4791 §5.3.2.1 max-resource-size); control characters in iCalendar text
// are refused (RFC 5545 §3.1) while bodies stored before the check still
// read; a sync token is accepted only exactly as issued (RFC 6578 §3.2); and
// methods the server does not know answer 405 or 501, never 500; a PUT with
// Content-Range is 400 and content in a coding is 415 (RFC 9110 §14.5, §15.5.16).
import { exports } from "cloudflare:workers";
import { DRAIN_IDLE_MS } from "../../../src/http/body.js";
import { describe, expect, it } from "vitest";
import { basic, BASE, dav, errorConditions, type Creds } from "../../helpers/dav-client.js";
import { CAL, D, cal, newUser, overwriteStoredBody, putOk, put } from "../../helpers/caldav.js";
import { calendarDataOf, calendarQueryBody, compFilter, multistatusOf, report, syncBody, syncCollection } from "../../helpers/reports.js";
import nulInSummary from "../../fixtures/ics/control/nul-in-summary.ics?raw";
import vtInDescription from "../../fixtures/ics/control/vt-in-description.ics?raw";
import escInLocation from "../../fixtures/ics/control/esc-in-location.ics?raw";
import delInFoldedLine from "../../fixtures/ics/control/del-in-folded-line.ics?raw";
import bellInXProperty from "../../fixtures/ics/control/bell-in-x-property.ics?raw";
import bareCrSecondVevent from "../../fixtures/ics/control/bare-cr-second-vevent.ics?raw";
import tabInDescription from "../../fixtures/ics/control/tab-in-description.ics?raw";

/** A request body that hands out one chunk and then never ends, and says how often it was asked for more. */
function endlessBody(): { stream: ReadableStream<Uint8Array>; pulls: () => number } {
  let pulls = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulls++;
      if (pulls === 1) controller.enqueue(new TextEncoder().encode("BEGIN:VCALENDAR\r\n"));
      return new Promise<void>(() => {}); // the rest never comes
    },
  });
  return { stream, pulls: () => pulls };
}

async function sendDeclared(method: string, path: string, as: Creds | null, length: number, body: ReadableStream<Uint8Array>): Promise<Response> {
  const headers: Record<string, string> = { "Content-Length": String(length), "Content-Type": method === "PUT" ? "text/calendar" : "application/xml" };
  if (as) headers["Authorization"] = basic(as);
  return exports.default.fetch(new Request(new URL(path, BASE), { method, headers, body, duplex: "half" } as RequestInit));
}

describe("a declared Content-Length over the cap (RFC 9110 §15.5.14)", () => {
  it("answers a PUT with 413 and CALDAV:max-resource-size within the idle bound, dropping what was sent (RFC 4791 §5.3.2.1)", async () => {
    const u = await newUser("edge");
    const body = endlessBody();
    const started = Date.now();
    const res = await sendDeclared("PUT", `${cal(u)}big.ics`, u, 50_000_000, body.stream);
    expect(res.status).toBe(413);
    expect(await errorConditions(res)).toEqual([CAL("max-resource-size")]);
    // What the client sent was read and dropped (src/http/body.ts discardBody), and the silence after it waited
    // out for DRAIN_IDLE_MS, no longer: the answer did not wait for the 50 MB. (The body is cancelled then; this
    // source, whose pull never settles, does not see it through the runtime's pipe, as a socket does:
    // test/http/edge.test.ts.)
    expect(Date.now() - started).toBeLessThan(DRAIN_IDLE_MS + 4_000);
    expect(body.pulls()).toBeLessThanOrEqual(2);
    expect((await dav("GET", `${cal(u)}big.ics`, { as: u })).status).toBe(404);
  });

  it("answers 413 before checking credentials, and 413 for an XML body over its cap", async () => {
    const u = await newUser("edge");
    const anonymous = await sendDeclared("PUT", `${cal(u)}big.ics`, null, 50_000_000, endlessBody().stream);
    expect(anonymous.status).toBe(413);
    await anonymous.arrayBuffer();
    const propfind = await sendDeclared("PROPFIND", cal(u), u, 3 * 1024 * 1024, endlessBody().stream);
    expect(propfind.status).toBe(413);
    await propfind.arrayBuffer();
  });
});

describe("control characters in iCalendar text (RFC 5545 §3.1, §3.3.11)", () => {
  const refused: Array<[string, string, string]> = [
    ["NUL in SUMMARY", nulInSummary, "U+0000"],
    ["VT in DESCRIPTION", vtInDescription, "U+000B"],
    ["ESC in LOCATION", escInLocation, "U+001B"],
    ["DEL in a folded continuation line", delInFoldedLine, "U+007F"],
    ["BEL in an X- property", bellInXProperty, "U+0007"],
    // A second VEVENT with another UID behind a bare CR: a line break to some parsers, not to ical.js.
    ["a CR without LF before a second VEVENT", bareCrSecondVevent, "CR not followed by LF"],
  ];

  it.each(refused)("refuses %s with 403 CALDAV:valid-calendar-data and stores nothing", async (_what, body, code) => {
    const u = await newUser("ctl");
    const res = await put(u, `${cal(u)}ctl.ics`, body);
    expect(res.status).toBe(403);
    const text = await res.text();
    expect(text).toContain("valid-calendar-data");
    expect((await dav("GET", `${cal(u)}ctl.ics`, { as: u })).status).toBe(404);
    // The description names the character, for the client's log.
    const { parseCalendarObject } = await import("../../../src/core/ical/parse.js");
    const { checkControlCharacters } = await import("../../../src/core/ical/control.js");
    expect(() => checkControlCharacters(body, (d) => new Error(d) as never)).toThrow(code);
    expect(() => parseCalendarObject(body)).not.toThrow(); // the parser alone would have taken it
  });

  it("accepts HTAB in text and serves it back byte for byte", async () => {
    const u = await newUser("ctl");
    await putOk(u, `${cal(u)}tab.ics`, tabInDescription);
    const got = await dav("GET", `${cal(u)}tab.ics`, { as: u });
    expect(got.status).toBe(200);
    expect(await got.text()).toBe(tabInDescription);
  });

  it("still reads a body stored before the check: GET and calendar-query serve it (no stored object vanishes)", async () => {
    const u = await newUser("ctl");
    const clean = nulInSummary.replace("\u0000", "");
    await putOk(u, `${cal(u)}old.ics`, clean);
    // What an earlier version of the server accepted: the same object with the NUL, already in R2.
    await overwriteStoredBody(u.user, "old.ics", nulInSummary);

    const get = await dav("GET", `${cal(u)}old.ics`, { as: u });
    expect(get.status).toBe(200);
    expect(await get.text()).toBe(nulInSummary);
    const q = await report(u, cal(u), calendarQueryBody(compFilter("VEVENT", "20250910T000000Z", "20250911T000000Z"), { prop: "<C:calendar-data/>" }));
    const { responses } = await multistatusOf(q);
    // XML 1.0 cannot carry a NUL (§2.2), so the writer leaves it out; the object is still there.
    expect(calendarDataOf(responses.get(`${cal(u)}old.ics`))).toContain("SUMMARY:Team sync");
  });
});

describe("sync tokens are accepted only exactly as issued (RFC 6578 §3.2 DAV:valid-sync-token)", () => {
  it("refuses a token with characters or parts appended, leading zeros or padding", async () => {
    const u = await newUser("sync-edge");
    await putOk(u, `${cal(u)}a.ics`, nulInSummary.replace("\u0000", ""));
    const token = (await syncCollection(u, cal(u), "")).token;
    const m = /^(.*):(\d+):(\d+)$/.exec(token)!;
    const altered = [
      `${token}:1`,
      `${token}:`,
      `${token}:extra`,
      `${m[1]}:${m[2]}:0${m[3]}`,
      `${m[1]}:0${m[2]}:${m[3]}`,
      `${m[1]}:${m[2]}:+${m[3]}`,
      `${token}%20`,
      `${token}\u00a0`,
      `${token}${"9".repeat(200)}`,
    ];
    for (const t of altered) {
      const res = await report(u, cal(u), syncBody(t), "0");
      expect(res.status, t).toBe(403);
      expect(await errorConditions(res), t).toEqual([D("valid-sync-token")]);
    }
    // The token as issued still works.
    expect((await syncCollection(u, cal(u), token)).hrefs).toEqual([]);
  });
});

describe("methods the server does not know (RFC 9110 §9.1, §15.5.6, §15.6.2)", () => {
  // Methods workerd's Request carries to the Worker; the others (BIND, MKREDIRECTREF, lower-case
  // or made-up tokens) are answered 501 by workerd before the Worker runs (test/http/edge.test.ts).
  const METHODS = ["TRACE", "PATCH", "LOCK", "UNLOCK", "SEARCH", "CHECKOUT", "MERGE", "MKACTIVITY", "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE", "PURGE", "get", "Propfind"];

  it("answers 405 or 501 with Allow, with and without credentials, and changes nothing", async () => {
    const u = await newUser("methods");
    const etag = await putOk(u, `${cal(u)}keep.ics`, tabInDescription);
    const accepted: string[] = [];
    for (const method of METHODS) {
      let req: Request;
      try {
        req = new Request(new URL(`${cal(u)}keep.ics`, BASE), { method });
      } catch {
        continue; // the runtime itself refuses to build it
      }
      accepted.push(method);
      for (const as of [null, u]) {
        const headers = new Headers(req.headers);
        if (as) headers.set("Authorization", basic(as));
        const res = await exports.default.fetch(new Request(req, { headers }));
        await res.arrayBuffer();
        if (req.method === "GET" || req.method === "PROPFIND") {
          // The runtime upper-cases these names before the Worker sees them; then they are simply known methods.
          expect(res.status, `${method} ${as ? "with" : "without"} credentials`).toBeLessThan(500);
          continue;
        }
        // A method in IANA's registry is known: 405 (RFC 9110 §15.5.6); only one nobody registered is 501 (§15.6.2).
        const registered = !["NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE", "PURGE"].includes(method);
        expect(res.status, `${method} ${as ? "with" : "without"} credentials`).toBe(registered ? 405 : 501);
        expect(res.headers.get("allow") ?? "", method).toContain("PROPFIND");
      }
    }
    expect(accepted.length).toBeGreaterThan(5);
    const after = await dav("GET", `${cal(u)}keep.ics`, { as: u });
    expect(after.headers.get("etag")).toBe(etag);
  });

  it("answers 501 for names that would be properties of a plain object (constructor, __proto__, toString)", async () => {
    const { methodEntry } = await import("../../../src/dav/methods.js");
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty", "X".repeat(10_000)]) {
      let status = 0;
      try {
        methodEntry(name);
      } catch (e) {
        status = (e as { status: number }).status;
      }
      expect(status, name.slice(0, 20)).toBe(501);
    }
  });
});

describe("request content the server does not take (RFC 9110 §14.5, §15.5.16)", () => {
  it("a PUT with Content-Range is 400 and stores nothing (a partial PUT is not a replacement)", async () => {
    const u = await newUser("crange");
    const res = await put(u, `${cal(u)}partial.ics`, tabInDescription, { "Content-Range": `bytes 0-9/${tabInDescription.length}` });
    expect(res.status).toBe(400);
    expect((await dav("GET", `${cal(u)}partial.ics`, { as: u })).status).toBe(404);
  });

  it("content in a coding (gzip) is 415 with Accept-Encoding: identity, for a PUT and a REPORT; identity is taken", async () => {
    const u = await newUser("ccoding");
    const gz = new Uint8Array(await new Response(new Blob([tabInDescription]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer());
    const res = await dav("PUT", `${cal(u)}gz.ics`, { as: u, body: gz, headers: { "Content-Type": "text/calendar", "Content-Encoding": "gzip" } });
    expect(res.status).toBe(415);
    expect(res.headers.get("accept-encoding")).toBe("identity");
    expect((await dav("GET", `${cal(u)}gz.ics`, { as: u })).status).toBe(404);
    const rep = await dav("REPORT", cal(u), { as: u, body: syncBody(""), headers: { Depth: "0", "Content-Type": "application/xml", "Content-Encoding": "gzip, identity" } });
    expect(rep.status).toBe(415);
    expect((await put(u, `${cal(u)}plain.ics`, tabInDescription, { "Content-Encoding": "identity" })).status).toBe(201);
    // Without content there is nothing coded: a GET that names a coding is answered as any GET.
    expect((await dav("GET", `${cal(u)}plain.ics`, { as: u, headers: { "Content-Encoding": "gzip" } })).status).toBe(200);
  });

  it("without credentials it is still a 401 first", async () => {
    const res = await dav("PUT", "/calendars/nobody/calendar/x.ics", { body: "x", headers: { "Content-Encoding": "gzip" } });
    expect(res.status).toBe(401);
  });
});
