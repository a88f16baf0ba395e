// The HTTP edge over a real socket against `wrangler dev`, the README's way:
// a request whose body is over the cap is answered 413 (RFC 9110 §15.5.14)
// whether the client sends all of it or declares more than it sends, and
// request methods the server does not know answer 405 or 501.
//
// Why a socket: `wrangler dev` wraps the Worker in a middleware that reads
// any unread request body to its end before the answer leaves, and an
// answer sent while the client is still sending its body is lost there (500
// "Network connection lost", or a reset connection). The Worker reads and
// drops a body it does not need before answering (src/http/body.ts
// discardBody): to its end when the client sends it, and for at most a
// second of silence when the client declared more than it sends.
//
// CONNECT is left out on purpose: locally it is answered 500 by wrangler's
// own proxy Worker ("Handler does not export a connect() function") before
// this Worker is reached; nothing in this Worker can change that.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawRequest, type RawAnswer } from "./raw-http.mjs";
import { addUser, basic, startServer, type Credentials, type TestServer } from "./server.js";

/** How long a refusal may take before the test calls it a hang (a bound, not a measurement). */
const ANSWER_BOUND_MS = 10_000;

function send(server: TestServer, method: string, path: string, headers: Record<string, string>, body = ""): Promise<RawAnswer> {
  return rawRequest({ port: server.port, method, path, headers, body, boundMs: ANSWER_BOUND_MS });
}

describe("the HTTP edge under wrangler dev", () => {
  let server: TestServer;
  let alice: Credentials;

  beforeAll(async () => {
    server = await startServer();
    alice = await addUser(server, "edge-alice", { password: "edge-secret" });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it("answers 413 with CALDAV:max-resource-size within the idle bound to a PUT declaring 50 MB and sending one byte (RFC 4791 §5.3.2.1)", async () => {
    const r = await send(server, "PUT", `/calendars/${alice.username}/calendar/big.ics`, {
      Authorization: basic(alice),
      "Content-Type": "text/calendar",
      "Content-Length": "50000000",
    }, "B");
    expect(r.status, r.head).toBe(413);
    expect(r.body).toContain("max-resource-size");
  });

  it("answers 413 or 403 max-resource-size, not 500 or a reset, to a PUT and a REPORT that send all of a body over the cap, declared or chunked, and 401 to one without credentials (RFC 4791 §5.3.2.1, RFC 9110 §15.5.14)", async () => {
    const ics = "BEGIN:VCALENDAR\r\n" + "X-PAD:".padEnd(70, "x").concat("\r\n").repeat(45_000) + "END:VCALENDAR\r\n"; // about 3 MB
    const put = await send(server, "PUT", `/calendars/${alice.username}/calendar/huge.ics`, {
      Authorization: basic(alice), "Content-Type": "text/calendar", "Content-Length": String(ics.length),
    }, ics);
    expect(put.status, put.head).toBe(413);
    expect(put.body).toContain("max-resource-size");
    const hrefs = Array.from({ length: 40_000 }, (_, i) => `<D:href>/calendars/${alice.username}/calendar/e${i}.ics</D:href>`).join("");
    const xml = `<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop>${hrefs}</C:calendar-multiget>`;
    expect(xml.length).toBeGreaterThan(2 * 1024 * 1024);
    const report = await send(server, "REPORT", `/calendars/${alice.username}/calendar/`, {
      Authorization: basic(alice), Depth: "1", "Content-Type": "application/xml", "Content-Length": String(xml.length),
    }, xml);
    expect(report.status, report.head).toBe(413);
    // Sent in chunks with no declared length: refused once past the cap, the rest read and dropped.
    const chunked = ics.match(/[\s\S]{1,65536}/g)!.map((c) => `${c.length.toString(16)}\r\n${c}\r\n`).join("") + "0\r\n\r\n";
    const streamed = await send(server, "PUT", `/calendars/${alice.username}/calendar/huge2.ics`, {
      Authorization: basic(alice), "Content-Type": "text/calendar", "Transfer-Encoding": "chunked",
    }, chunked);
    // Found too large while reading, not declared so: the precondition's 403 (src/app.ts tooLarge).
    expect(streamed.status, streamed.head).toBe(403);
    expect(streamed.body).toContain("max-resource-size");
    // A client that sends a body within the cap before it is asked for credentials (RFC 9110 §11.6.1) gets its 401:
    // the body is never read by the handler, and is dropped before the answer.
    const within = ics.slice(0, 900_000);
    const anonymous = await send(server, "PUT", `/calendars/${alice.username}/calendar/huge3.ics`, {
      "Content-Type": "text/calendar", "Content-Length": String(within.length),
    }, within);
    expect(anonymous.status, anonymous.head).toBe(401);
    // And the server still answers the next request.
    const after = await send(server, "PROPFIND", `/calendars/${alice.username}/`, { Authorization: basic(alice), Depth: "0", "Content-Length": "0" });
    expect(after.status, after.head).toBe(207);
  });

  it("answers 413 to a PROPFIND declaring more than the XML cap, and 401 to wrong credentials with a short body, within the idle bound", async () => {
    const propfind = await send(
      server, "PROPFIND", `/calendars/${alice.username}/`,
      { Authorization: basic(alice), Depth: "0", "Content-Length": String(3 * 1024 * 1024) }, "<",
    );
    expect(propfind.status, propfind.head).toBe(413);
    const wrong = await send(server, "PUT", `/calendars/${alice.username}/calendar/x.ics`, {
      Authorization: basic({ username: alice.username, password: "not-it" }),
      "Content-Type": "text/calendar",
      "Content-Length": "300",
    }, "B");
    expect(wrong.status, wrong.head).toBe(401);
  });

  it("answers 405 or 501, never 500, to methods it does not know, with and without credentials (RFC 9110 §9.1)", async () => {
    const methods = [
      "TRACE", "PATCH", "LOCK", "UNLOCK", "SEARCH", "BIND", "UNBIND", "REBIND", "ORDERPATCH", "MKWORKSPACE",
      "VERSION-CONTROL", "CHECKOUT", "MKREDIRECTREF", "get", "Propfind", "FROBNICATE", "X".repeat(300),
    ];
    for (const method of methods) {
      for (const auth of [null, basic(alice)]) {
        const headers: Record<string, string> = { "Content-Length": "0" };
        if (auth) headers["Authorization"] = auth;
        const r = await send(server, method, `/calendars/${alice.username}/calendar/`, headers);
        expect([405, 501], `${method.slice(0, 20)} ${auth ? "with" : "without"} credentials: ${r.head}`).toContain(r.status);
      }
    }
  });
  it("sends a kept answer gzipped only to a client that asked for gzip (RFC 9110 §12.5.3; src/dav/answer-cache.ts)", async () => {
    const body = `<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>`;
    const propfind = (encoding?: string) => send(server, "PROPFIND", `/calendars/${alice.username}/calendar/`, {
      Authorization: basic(alice), Depth: "1", "Content-Type": "application/xml", "Content-Length": String(body.length), Connection: "close",
      ...(encoding ? { "Accept-Encoding": encoding } : {}),
    }, body);
    // Made, then kept: each client gets both the way it asked.
    for (let round = 0; round < 2; round++) {
      const none = await propfind();
      expect(none.status).toBe(207);
      expect(none.head).not.toMatch(/content-encoding/i);
      expect(none.body).toContain("multistatus");
      const identity = await propfind("identity");
      expect(identity.head).not.toMatch(/content-encoding/i);
      expect(identity.body).toBe(none.body);
      const gzip = await propfind("gzip, deflate");
      expect(gzip.status).toBe(207);
      expect(gzip.head).toMatch(/content-encoding: gzip/i);
    }
  });
});
