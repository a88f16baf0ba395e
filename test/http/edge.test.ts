// The HTTP edge over a real socket against `wrangler dev`, the README's way:
// a request that declares a body larger than the cap but sends only a byte
// is answered at once (RFC 9110 §15.5.14) instead of when the client gives
// up, and request methods the server does not know answer 405 or 501.
//
// Why a socket: `wrangler dev` wraps the Worker in a middleware that reads
// any unread request body to its end before the answer leaves. A client that
// declared 50 MB and sent one byte therefore got no answer at all until it
// closed the connection. The Worker now cancels a body it does not read.
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

  it("answers 413 with CALDAV:max-resource-size at once to a PUT declaring 50 MB and sending one byte (RFC 4791 §5.3.2.1)", async () => {
    const r = await send(server, "PUT", `/calendars/${alice.username}/calendar/big.ics`, {
      Authorization: basic(alice),
      "Content-Type": "text/calendar",
      "Content-Length": "50000000",
    }, "B");
    expect(r.status, r.head).toBe(413);
    expect(r.body).toContain("max-resource-size");
  });

  it("answers 413 at once to a PROPFIND declaring more than the XML cap, and 401 at once to wrong credentials with a short body", async () => {
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
