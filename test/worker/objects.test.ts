// Calendar object resources: PUT / GET / HEAD / DELETE with strong ETags and
// conditional requests (RFC 9110 §13), every precondition of RFC 4791
// §5.3.2.1, and COPY / MOVE between calendars of one home (RFC 4918 §9.8,
// §9.9 with the CalDAV rules).
import { describe, expect, it } from "vitest";
import { parseXml } from "../../src/core/xml/parse.js";
import { child, childElements, textOf } from "../../src/core/xml/tree.js";
import apple from "../fixtures/ics/client-apple-event.ics?raw";
import davx5 from "../fixtures/ics/client-davx5-todo.ics?raw";
import outlook from "../fixtures/ics/client-outlook-event.ics?raw";
import thunderbird from "../fixtures/ics/client-thunderbird-event.ics?raw";
import lowercaseRule from "../fixtures/ics/lowercase-rrule.ics?raw";
import { BASE, dav, errorConditions, multistatus, propfindBody, type Creds } from "../helpers/dav-client.js";
import { CAL, D, cal, crlf, home, ics, mkcalendar, mkcalendarBody, newUser, propText, propfindOne, put, putOk, rnd } from "../helpers/caldav.js";
import { calendarDataOf, calendarQueryBody, compFilter, multistatusOf, report } from "../helpers/reports.js";

const FIXTURES: Array<[string, string, string]> = [
  ["Apple Calendar event (VTIMEZONE, X-APPLE properties, VALARMs)", crlf(apple), "calendar"],
  ["Thunderbird recurring event", crlf(thunderbird), "calendar"],
  ["Outlook event with a Windows TZID", crlf(outlook), "calendar"],
  ["DAVx5 task", crlf(davx5), "tasks"],
  ["weekly event whose RRULE is in lower case (RFC 5545 §3.3.10 is case-insensitive ABNF)", crlf(lowercaseRule), "calendar"],
];

const STRONG_ETAG = /^"[^"]+"$/;
const enc = new TextEncoder();

async function get(c: Creds, path: string, headers: Record<string, string> = {}) {
  const res = await dav("GET", path, { as: c, headers });
  return { res, status: res.status, etag: res.headers.get("etag"), text: await res.text() };
}

async function maxResourceSize(c: Creds): Promise<number> {
  return Number(propText(await propfindOne(c, cal(c), ["C:max-resource-size"]), CAL("max-resource-size")));
}

/** A valid VEVENT body of exactly `bytes` octets, padded with X- properties of `unit` (one or two octets per character). */
function sizedEvent(bytes: number, uid: string, unit = "a"): string {
  const base = ics({ uid, extra: ["X-PAD-MARKER:1"] });
  const baseBytes = enc.encode(base).byteLength - enc.encode("X-PAD-MARKER:1\r\n").byteLength;
  const line = (n: number) => `X-PAD:${unit.repeat(n)}`;
  const unitBytes = enc.encode(unit).byteLength;
  const fullChars = Math.floor(60 / unitBytes);
  const fullLine = enc.encode(`${line(fullChars)}\r\n`).byteLength;
  let rest = bytes - baseBytes;
  const pads: string[] = [];
  while (rest >= fullLine + 16) {
    pads.push(line(fullChars));
    rest -= fullLine;
  }
  // Spend the remainder in one or two short ASCII lines ("X-PAD:" + k + CRLF = 8 + k octets).
  if (rest > 0) {
    if (rest < 9) throw new Error("cannot hit the size exactly");
    if (rest <= 70) pads.push(`X-PAD:${"b".repeat(rest - 8)}`);
    else {
      const first = Math.floor(rest / 2);
      pads.push(`X-PAD:${"b".repeat(first - 8)}`, `X-PAD:${"b".repeat(rest - first - 8)}`);
    }
  }
  const body = base.replace("X-PAD-MARKER:1\r\n", pads.map((p) => `${p}\r\n`).join(""));
  const got = enc.encode(body).byteLength;
  if (got !== bytes) throw new Error(`sizedEvent: wanted ${bytes}, built ${got}`);
  return body;
}

describe("PUT, GET, HEAD, DELETE", () => {
  for (const [label, body, collection] of FIXTURES) {
    it(`stores a ${label} and serves it back byte for byte under the strong ETag the PUT returned (RFC 4791 §5.3.4, RFC 9110 §8.8.3)`, async () => {
      const u = await newUser("obj");
      const path = `${cal(u, collection)}${rnd()}.ics`;
      const res = await put(u, path, body, { "If-None-Match": "*" });
      expect(res.status, await res.clone().text()).toBe(201);
      const etag = res.headers.get("etag");
      expect(etag).toMatch(STRONG_ETAG);

      const g = await get(u, path);
      expect(g.status).toBe(200);
      expect(g.etag).toBe(etag);
      expect(g.text).toBe(body);
      expect(g.res.headers.get("content-type")).toMatch(/^text\/calendar\b/);
      expect(Number(g.res.headers.get("content-length") ?? enc.encode(g.text).byteLength)).toBe(enc.encode(body).byteLength);

      const head = await dav("HEAD", path, { as: u });
      expect(head.status).toBe(200);
      expect(head.headers.get("etag")).toBe(etag);
      expect(await head.text()).toBe("");

      const pf = await propfindOne(u, path, ["D:getetag"]);
      expect(propText(pf, D("getetag"))).toBe(etag);

      const del = await dav("DELETE", path, { as: u });
      expect(del.status).toBe(204);
      expect((await get(u, path)).status).toBe(404);
      expect((await dav("DELETE", path, { as: u })).status).toBe(404);
    });
  }

  it("replaces an object with 204 and a new ETag (RFC 9110 §9.3.4)", async () => {
    const u = await newUser("obj");
    const path = `${cal(u)}a.ics`;
    const uid = `${rnd()}@x`;
    const e1 = await putOk(u, path, ics({ uid, summary: "one" }));
    const res = await put(u, path, ics({ uid, summary: "two" }));
    expect(res.status).toBe(204);
    const e2 = res.headers.get("etag");
    expect(e2).toMatch(STRONG_ETAG);
    expect(e2).not.toBe(e1);
    const g = await get(u, path);
    expect(g.etag).toBe(e2);
    expect(g.text).toContain("SUMMARY:two");
  });

  it("serves objects whose names need percent-encoding under the href it lists (RFC 4918 §8.3)", async () => {
    const u = await newUser("obj");
    const requested = `${cal(u)}${encodeURIComponent("Lunch with Léa & co.ics")}`;
    expect((await put(u, requested, ics())).status).toBe(201);
    const listing = await multistatus(await dav("PROPFIND", cal(u), { as: u, headers: { Depth: "1" }, body: propfindBody(["D:getetag"]) }));
    const hrefs = [...listing.keys()].filter((h) => h !== cal(u));
    expect(hrefs).toHaveLength(1);
    expect(decodeURIComponent(hrefs[0]!)).toBe(`${cal(u)}Lunch with Léa & co.ics`);
    expect(hrefs[0]).not.toMatch(/[\s]/);
    expect((await get(u, hrefs[0]!)).status).toBe(200);
  });
});

describe("a recurrence rule in lower case (RFC 5545 §3.3.10, RFC 5234 §2.3)", () => {
  it("is stored as sent and expands as the same rule in upper case (RFC 4791 §9.6.5)", async () => {
    const u = await newUser("rcase");
    await putOk(u, `${cal(u)}lower.ics`, crlf(lowercaseRule));
    const res = await report(u, cal(u), calendarQueryBody(compFilter("VEVENT", "20260101T000000Z", "20260201T000000Z"), {
      prop: `<D:getetag/><C:calendar-data><C:expand start="20260101T000000Z" end="20260201T000000Z"/></C:calendar-data>`,
    }));
    const { responses } = await multistatusOf(res);
    const data = calendarDataOf(responses.get(`${cal(u)}lower.ics`));
    // Mondays and Wednesdays of January 2026 from the 5th, until the 31st: 5, 7, 12, 14, 19, 21, 26, 28 (08:00 UTC).
    expect(data.match(/RECURRENCE-ID:\S+/g)).toEqual(["05", "07", "12", "14", "19", "21", "26", "28"].map((d) => `RECURRENCE-ID:202601${d}T080000Z`));
    expect((await get(u, `${cal(u)}lower.ics`)).text).toContain("RRULE:freq=weekly;byday=mo,we;until=20260131t000000z");
  });
});

describe("conditional requests", () => {
  it("creates with If-None-Match: * and refuses it with 412 once the resource exists (RFC 9110 §13.1.2)", async () => {
    const u = await newUser("cond");
    const path = `${cal(u)}a.ics`;
    const uid = `${rnd()}@x`;
    expect((await put(u, path, ics({ uid, summary: "first" }), { "If-None-Match": "*" })).status).toBe(201);
    const res = await put(u, path, ics({ uid, summary: "second" }), { "If-None-Match": "*" });
    expect(res.status).toBe(412);
    expect((await get(u, path)).text).toContain("SUMMARY:first");
  });

  it("updates with the current If-Match and refuses a stale or weak one with 412 (RFC 9110 §13.1.1)", async () => {
    const u = await newUser("cond");
    const path = `${cal(u)}a.ics`;
    const uid = `${rnd()}@x`;
    const e1 = await putOk(u, path, ics({ uid, summary: "v1" }));
    const e2 = await putOk(u, path, ics({ uid, summary: "v2" }), { "If-Match": e1 });
    for (const stale of [e1, `W/${e2}`, '"nonsense"']) {
      const res = await put(u, path, ics({ uid, summary: "v3" }), { "If-Match": stale });
      expect(res.status, stale).toBe(412);
    }
    const g = await get(u, path);
    expect(g.etag).toBe(e2);
    expect(g.text).toContain("SUMMARY:v2");
    // A list containing the current tag matches.
    expect((await put(u, path, ics({ uid, summary: "v4" }), { "If-Match": `"other", ${e2}` })).status).toBe(204);
  });

  it("refuses If-Match on a resource that does not exist with 412 and creates nothing (RFC 9110 §13.1.1)", async () => {
    const u = await newUser("cond");
    const path = `${cal(u)}missing.ics`;
    expect((await put(u, path, ics(), { "If-Match": "*" })).status).toBe(412);
    expect((await put(u, path, ics(), { "If-Match": '"abc"' })).status).toBe(412);
    expect((await get(u, path)).status).toBe(404);
  });

  it("refuses DELETE with a stale If-Match with 412 and keeps the resource (RFC 9110 §13.1.1)", async () => {
    const u = await newUser("cond");
    const path = `${cal(u)}a.ics`;
    const uid = `${rnd()}@x`;
    const e1 = await putOk(u, path, ics({ uid, summary: "v1" }));
    const e2 = await putOk(u, path, ics({ uid, summary: "v2" }));
    expect((await dav("DELETE", path, { as: u, headers: { "If-Match": e1 } })).status).toBe(412);
    expect((await get(u, path)).status).toBe(200);
    expect((await dav("DELETE", path, { as: u, headers: { "If-Match": e2 } })).status).toBe(204);
    expect((await get(u, path)).status).toBe(404);
  });

  it("answers GET with a matching If-None-Match with 304 and the ETag, and 200 otherwise (RFC 9110 §13.1.2, §15.4.5)", async () => {
    const u = await newUser("cond");
    const path = `${cal(u)}a.ics`;
    const etag = await putOk(u, path, ics());
    const nm = await dav("GET", path, { as: u, headers: { "If-None-Match": etag } });
    expect(nm.status).toBe(304);
    expect(nm.headers.get("etag")).toBe(etag);
    expect(await nm.text()).toBe("");
    expect((await dav("GET", path, { as: u, headers: { "If-None-Match": '"something-else"' } })).status).toBe(200);
    expect((await dav("GET", path, { as: u, headers: { "If-Match": '"something-else"' } })).status).toBe(412);
  });
});

describe("PUT preconditions (RFC 4791 §5.3.2.1)", () => {
  async function expectRefused(u: Creds, path: string, body: string, conditions: string[], headers: Record<string, string> = {}) {
    const res = await put(u, path, body, headers);
    expect(res.status).toBe(403);
    const found = await errorConditions(res);
    expect(found.some((c) => conditions.includes(c)), `got ${found.join(", ")}`).toBe(true);
    expect((await get(u, path)).status).toBe(404);
  }

  it("refuses a body that is not text/calendar with CALDAV:supported-calendar-data", async () => {
    const u = await newUser("pre");
    await expectRefused(u, `${cal(u)}a.ics`, ics(), [CAL("supported-calendar-data")], { "Content-Type": "application/json" });
    await expectRefused(u, `${cal(u)}b.ics`, ics(), [CAL("supported-calendar-data")], { "Content-Type": "text/vcard" });
  });

  it("refuses data that is not valid iCalendar with CALDAV:valid-calendar-data: garbage, a missing END, two VCALENDARs", async () => {
    const u = await newUser("pre");
    const one = ics();
    await expectRefused(u, `${cal(u)}g.ics`, "this is not a calendar\r\n", [CAL("valid-calendar-data")]);
    await expectRefused(u, `${cal(u)}e.ics`, one.replace("END:VCALENDAR\r\n", ""), [CAL("valid-calendar-data")]);
    await expectRefused(u, `${cal(u)}m.ics`, one.replace("END:VEVENT\r\n", ""), [CAL("valid-calendar-data")]);
    await expectRefused(u, `${cal(u)}t.ics`, one + ics(), [CAL("valid-calendar-data"), CAL("valid-calendar-object-resource")]);
    await expectRefused(u, `${cal(u)}v.ics`, one.replace("VERSION:2.0\r\n", ""), [CAL("valid-calendar-data")]);
  });

  it("refuses bytes that are not UTF-8 with CALDAV:valid-calendar-data", async () => {
    const u = await newUser("pre");
    const bytes = enc.encode(ics({ summary: "Caf__" }));
    const i = bytes.indexOf("_".charCodeAt(0));
    bytes[i] = 0xe9; // Latin-1 é
    bytes[i + 1] = 0x21;
    const res = await dav("PUT", `${cal(u)}latin1.ics`, { as: u, body: bytes, headers: { "Content-Type": "text/calendar" } });
    expect(res.status).toBe(403);
    expect(await errorConditions(res)).toContain(CAL("valid-calendar-data"));
  });

  it("refuses what is not one calendar object resource with CALDAV:valid-calendar-object-resource: METHOD, VEVENT with VTODO, two UIDs (RFC 4791 §4.1)", async () => {
    const u = await newUser("pre");
    const cond = [CAL("valid-calendar-object-resource")];
    await expectRefused(u, `${cal(u)}method.ics`, ics().replace("VERSION:2.0\r\n", "VERSION:2.0\r\nMETHOD:REQUEST\r\n"), cond);
    const mixed = ics({ uid: "same@x" }).replace(
      "END:VCALENDAR",
      "BEGIN:VTODO\r\nUID:same@x\r\nDTSTAMP:20250101T000000Z\r\nSUMMARY:task\r\nEND:VTODO\r\nEND:VCALENDAR",
    );
    await expectRefused(u, `${cal(u)}mixed.ics`, mixed, cond);
    const twoUids = ics({ uid: "first@x" }).replace(
      "END:VCALENDAR",
      "BEGIN:VEVENT\r\nUID:second@x\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20250611T090000Z\r\nSUMMARY:other\r\nEND:VEVENT\r\nEND:VCALENDAR",
    );
    await expectRefused(u, `${cal(u)}twouids.ics`, twoUids, cond);
  });

  it("refuses a component type the calendar does not support with CALDAV:supported-calendar-component (RFC 4791 §5.2.3)", async () => {
    const u = await newUser("pre");
    await expectRefused(u, `${cal(u)}todo.ics`, crlf(davx5), [CAL("supported-calendar-component")]);
    await expectRefused(u, `${cal(u, "tasks")}event.ics`, crlf(apple), [CAL("supported-calendar-component")]);
  });

  it("refuses a second resource with the same UID with CALDAV:no-uid-conflict naming the existing href", async () => {
    const u = await newUser("pre");
    const first = `${cal(u)}first.ics`;
    await putOk(u, first, crlf(thunderbird));
    const res = await put(u, `${cal(u)}second.ics`, crlf(thunderbird).replace("SUMMARY:Book club", "SUMMARY:Copy"));
    expect(res.status).toBe(403);
    const doc = parseXml(await res.text());
    expect(doc.name).toBe(D("error"));
    const conflict = child(doc, CAL("no-uid-conflict"));
    expect(conflict).toBeDefined();
    const hrefs = childElements(conflict!).filter((e) => e.name === D("href")).map((e) => new URL(textOf(e).trim(), BASE).pathname);
    expect(hrefs).toEqual([first]);
    expect((await get(u, `${cal(u)}second.ics`)).status).toBe(404);
  });

  it("allows the same UID in two different calendars (RFC 4791 §4.1: UIDs are unique per collection)", async () => {
    const u = await newUser("pre");
    expect((await mkcalendar(u, cal(u, "other"))).status).toBe(201);
    await putOk(u, `${cal(u)}a.ics`, crlf(apple));
    expect((await put(u, `${cal(u, "other")}a.ics`, crlf(apple))).status).toBe(201);
  });

  it("refuses to change the UID of an existing resource with CALDAV:no-uid-conflict", async () => {
    const u = await newUser("pre");
    const path = `${cal(u)}a.ics`;
    await putOk(u, path, ics({ uid: "original@x", summary: "orig" }));
    const res = await put(u, path, ics({ uid: "changed@x" }));
    expect(res.status).toBe(403);
    expect(await errorConditions(res)).toContain(CAL("no-uid-conflict"));
    expect((await get(u, path)).text).toContain("UID:original@x");
  });

  it("refuses to store a calendar object outside a calendar collection: in the home or the scheduling inbox (RFC 4791 §4.2, §5.3.2.1, RFC 6638 §2.2)", async () => {
    const u = await newUser("pre");
    const inHome = await put(u, `${home(u)}stray.ics`, ics());
    expect([403, 405, 409]).toContain(inHome.status);
    expect((await get(u, `${home(u)}stray.ics`)).status).toBe(404);
    const inInbox = await put(u, `${cal(u, "inbox")}stray.ics`, ics());
    expect(inInbox.status).toBe(403);
    expect(await errorConditions(inInbox)).toContain(CAL("calendar-collection-location-ok"));
    expect((await get(u, `${cal(u, "inbox")}stray.ics`)).status).toBe(404);
  });

  it("accepts a body of exactly max-resource-size octets and refuses one octet more with CALDAV:max-resource-size (RFC 4791 §5.2.5)", async () => {
    const u = await newUser("size");
    const max = await maxResourceSize(u);
    const ok = await put(u, `${cal(u)}max.ics`, sizedEvent(max, `${rnd()}@x`));
    expect(ok.status, await ok.clone().text()).toBe(201);
    const res = await put(u, `${cal(u)}over.ics`, sizedEvent(max + 1, `${rnd()}@x`));
    // The declared Content-Length already says it: 413 before the body is read (a streamed body is 403, below).
    expect(res.status).toBe(413);
    expect(await errorConditions(res)).toContain(CAL("max-resource-size"));
    expect((await get(u, `${cal(u)}over.ics`)).status).toBe(404);
  });

  it("counts max-resource-size in octets, not characters (RFC 4791 §5.2.5)", async () => {
    const u = await newUser("size");
    const max = await maxResourceSize(u);
    const body = sizedEvent(max + 100, `${rnd()}@x`, "é");
    expect(body.length).toBeLessThan(max);
    const res = await put(u, `${cal(u)}octets.ics`, body);
    expect(res.status).toBe(413);
    expect(await errorConditions(res)).toContain(CAL("max-resource-size"));
  });

  it("refuses an oversized body sent without Content-Length (chunked) with CALDAV:max-resource-size (RFC 4791 §5.2.5)", async () => {
    const u = await newUser("size");
    const max = await maxResourceSize(u);
    const bytes = enc.encode(sizedEvent(max + 4096, `${rnd()}@x`));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 16 * 1024) controller.enqueue(bytes.slice(i, i + 16 * 1024));
        controller.close();
      },
    });
    const { exports } = await import("cloudflare:workers");
    const { basic } = await import("../helpers/dav-client.js");
    const res = await exports.default.fetch(
      new Request(new URL(`${cal(u)}chunked.ics`, BASE), { method: "PUT", headers: { Authorization: basic(u), "Content-Type": "text/calendar" }, body: stream }),
    );
    expect(res.status).toBe(403);
    expect(await errorConditions(res)).toContain(CAL("max-resource-size"));
  });

  it("refuses an event before min-date-time (year 1700) with CALDAV:min-date-time (RFC 4791 §5.2.6)", async () => {
    const u = await newUser("dates");
    const min = propText(await propfindOne(u, cal(u), ["C:min-date-time"]), CAL("min-date-time"));
    expect(min < "17000101T120000Z").toBe(false);
    await expectRefused(u, `${cal(u)}old.ics`, ics({ start: "17000101T120000Z", end: "17000101T130000Z" }), [CAL("min-date-time")]);
  });

  it("refuses an event after max-date-time (year 2400) with CALDAV:max-date-time (RFC 4791 §5.2.7)", async () => {
    const u = await newUser("dates");
    const max = propText(await propfindOne(u, cal(u), ["C:max-date-time"]), CAL("max-date-time"));
    expect(max > "24000101T120000Z").toBe(false);
    await expectRefused(u, `${cal(u)}future.ics`, ics({ start: "24000101T120000Z", end: "24000101T130000Z" }), [CAL("max-date-time")]);
  });

  it("answers 409 to a PUT into a calendar that does not exist (RFC 4918 §9.7.1)", async () => {
    const u = await newUser("pre");
    const res = await put(u, `${cal(u, "nowhere")}a.ics`, ics());
    expect(res.status).toBe(409);
  });
});

describe("COPY and MOVE", () => {
  async function setup() {
    const u = await newUser("cm");
    expect((await mkcalendar(u, cal(u, "work"), mkcalendarBody('<C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>'))).status).toBe(201);
    const src = `${cal(u)}src.ics`;
    const etag = await putOk(u, src, crlf(apple));
    return { u, src, etag };
  }

  it("copies an object into another calendar with 201, leaving the source (RFC 4918 §9.8.5)", async () => {
    const { u, src } = await setup();
    const dst = `${cal(u, "work")}copy.ics`;
    const res = await dav("COPY", src, { as: u, headers: { Destination: `${BASE}${dst}` } });
    expect(res.status).toBe(201);
    const a = await get(u, src);
    const b = await get(u, dst);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.text).toBe(a.text);
  });

  it("refuses COPY onto an existing destination with Overwrite: F with 412 and leaves both unchanged (RFC 4918 §9.8.5, §10.6)", async () => {
    const { u, src } = await setup();
    const dst = `${cal(u, "work")}existing.ics`;
    const dstEtag = await putOk(u, dst, crlf(outlook));
    const res = await dav("COPY", src, { as: u, headers: { Destination: dst, Overwrite: "F" } });
    expect(res.status).toBe(412);
    expect((await get(u, dst)).etag).toBe(dstEtag);
    const mv = await dav("MOVE", src, { as: u, headers: { Destination: dst, Overwrite: "F" } });
    expect(mv.status).toBe(412);
    expect((await get(u, src)).status).toBe(200);
  });

  it("replaces an existing destination of the same UID under Overwrite: T with 204 (RFC 4918 §9.9.4)", async () => {
    const { u, src } = await setup();
    const dst = `${cal(u, "work")}existing.ics`;
    await putOk(u, dst, crlf(apple).replace("SUMMARY:", "SUMMARY:Older "));
    const res = await dav("MOVE", src, { as: u, headers: { Destination: dst, Overwrite: "T" } });
    expect(res.status).toBe(204);
    expect((await get(u, src)).status).toBe(404);
    expect((await get(u, dst)).text).toBe(crlf(apple));
  });

  it("refuses COPY and MOVE onto an object of another UID with CALDAV:no-uid-conflict, even under Overwrite: T (RFC 4791 §5.3.2.1)", async () => {
    const { u, src, etag } = await setup();
    const dst = `${cal(u, "work")}other.ics`;
    const dstEtag = await putOk(u, dst, crlf(outlook));
    for (const method of ["COPY", "MOVE"]) {
      const res = await dav(method, src, { as: u, headers: { Destination: dst, Overwrite: "T" } });
      expect(res.status, method).toBe(403);
      expect(await errorConditions(res), method).toEqual([CAL("no-uid-conflict")]);
    }
    expect((await get(u, dst)).etag).toBe(dstEtag);
    expect((await get(u, dst)).text).toBe(crlf(outlook));
    expect((await get(u, src)).etag).toBe(etag);
  });

  it("refuses COPY within one calendar with CALDAV:no-uid-conflict (RFC 4791 §5.3.2.1)", async () => {
    const { u, src } = await setup();
    const res = await dav("COPY", src, { as: u, headers: { Destination: `${cal(u)}dup.ics` } });
    expect(res.status).toBe(403);
    expect(await errorConditions(res)).toContain(CAL("no-uid-conflict"));
    expect((await get(u, `${cal(u)}dup.ics`)).status).toBe(404);
  });

  it("refuses MOVE into a calendar that holds the UID under another name with CALDAV:no-uid-conflict, keeping the source (RFC 4791 §5.3.2.1)", async () => {
    const { u, src } = await setup();
    await putOk(u, `${cal(u, "work")}already.ics`, crlf(apple));
    const res = await dav("MOVE", src, { as: u, headers: { Destination: `${cal(u, "work")}moved.ics` } });
    expect(res.status).toBe(403);
    expect(await errorConditions(res)).toContain(CAL("no-uid-conflict"));
    expect((await get(u, src)).status).toBe(200);
    expect((await get(u, `${cal(u, "work")}moved.ics`)).status).toBe(404);
  });

  it("refuses to COPY an event into a VTODO-only calendar with CALDAV:supported-calendar-component (RFC 4791 §5.3.2.1)", async () => {
    const { u, src } = await setup();
    const res = await dav("COPY", src, { as: u, headers: { Destination: `${cal(u, "tasks")}event.ics` } });
    expect(res.status).toBe(403);
    expect(await errorConditions(res)).toContain(CAL("supported-calendar-component"));
    expect((await get(u, `${cal(u, "tasks")}event.ics`)).status).toBe(404);
  });

  it("renames an object with MOVE inside its calendar (RFC 4918 §9.9)", async () => {
    const { u, src } = await setup();
    const dst = `${cal(u)}renamed.ics`;
    const res = await dav("MOVE", src, { as: u, headers: { Destination: dst } });
    expect(res.status).toBe(201);
    expect((await get(u, src)).status).toBe(404);
    const moved = await get(u, dst);
    expect(moved.status).toBe(200);
    expect(moved.text).toBe(crlf(apple));
    const listing = await multistatus(await dav("PROPFIND", cal(u), { as: u, headers: { Depth: "1" }, body: propfindBody(["D:getetag"]) }));
    expect([...listing.keys()].sort()).toEqual([cal(u), dst].sort());
  });

  it("moves an object to another calendar and its former calendar's ctag changes (RFC 4918 §9.9)", async () => {
    const { u, src } = await setup();
    const before = propText(await propfindOne(u, cal(u), ["CS:getctag"]), "{http://calendarserver.org/ns/}getctag");
    const dst = `${cal(u, "work")}moved.ics`;
    expect((await dav("MOVE", src, { as: u, headers: { Destination: dst } })).status).toBe(201);
    expect((await get(u, dst)).text).toBe(crlf(apple));
    expect((await get(u, src)).status).toBe(404);
    const after = propText(await propfindOne(u, cal(u), ["CS:getctag"]), "{http://calendarserver.org/ns/}getctag");
    expect(after).not.toBe(before);
  });

  it("answers 409 to COPY into a calendar that does not exist (RFC 4918 §9.8.5)", async () => {
    const { u, src } = await setup();
    const res = await dav("COPY", src, { as: u, headers: { Destination: `${cal(u, "nowhere")}x.ics` } });
    expect(res.status).toBe(409);
  });

  it("answers 400 to COPY and MOVE without a Destination (RFC 4918 §10.3)", async () => {
    const { u, src } = await setup();
    expect((await dav("COPY", src, { as: u })).status).toBe(400);
    expect((await dav("MOVE", src, { as: u })).status).toBe(400);
    expect((await get(u, src)).status).toBe(200);
  });

  it("copies with the current If-Match and refuses a stale one with 412 (RFC 9110 §13.1.1)", async () => {
    const { u, src, etag } = await setup();
    expect((await dav("COPY", src, { as: u, headers: { Destination: `${cal(u, "work")}ok.ics`, "If-Match": etag } })).status).toBe(201);
    const res = await dav("COPY", src, { as: u, headers: { Destination: `${cal(u, "work")}c.ics`, "If-Match": '"stale"' } });
    expect(res.status).toBe(412);
    expect((await get(u, `${cal(u, "work")}c.ics`)).status).toBe(404);
  });
});
