// The Worker's fetch (src/app.ts serve): a request under /calendars/ or
// /principals/ skips the Hono router and goes straight to the DAV handler.
// It must answer exactly as the app does, errors (RFC 4918 §16 DAV:error
// bodies, RFC 7617 challenges) and HEAD (RFC 9110 §9.3.2: no content) alike.
import { env } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app, serve, XML_BODY_CAP } from "../../src/app.js";
import { BASE, basic, type Creds } from "../helpers/dav-client.js";
import { crlf, ics, newUser, putOk, rnd } from "../helpers/caldav.js";

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Headers that differ between two answers to the same request by nature (a fresh Date, a new ETag is not one of them). */
const VOLATILE = new Set(["date"]);

async function through(entry: (req: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response>, make: () => Request): Promise<Answer> {
  const ctx = createExecutionContext();
  const res = await entry(make(), env, ctx);
  const body = await res.text();
  await waitOnExecutionContext(ctx);
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    if (!VOLATILE.has(k)) headers[k] = v;
  });
  return { status: res.status, headers, body };
}

/** The same request through serve and through the app's router: both answers, for comparison. */
async function both(make: () => Request): Promise<[Answer, Answer]> {
  const direct = await through(serve, make);
  const routed = await through((req, e, ctx) => app.fetch(req, e, ctx), make);
  return [direct, routed];
}

const req = (method: string, path: string, as: Creds | null, init: { headers?: Record<string, string>; body?: string } = {}) => () =>
  new Request(new URL(path, BASE), {
    method,
    headers: { ...(as ? { Authorization: basic(as) } : {}), ...init.headers },
    body: init.body ?? null,
  });

describe("serve: DAV paths skip the router and answer as the app does", () => {
  it("a GET and a HEAD of an object (RFC 9110 §9.3.2: HEAD has the GET's headers and no content)", async () => {
    const u = await newUser("serve");
    const path = `/calendars/${u.user}/calendar/${rnd()}.ics`;
    await putOk(u, path, ics({ uid: `serve-${rnd()}` }));
    const [get, getRouted] = await both(req("GET", path, u));
    expect(get.status).toBe(200);
    expect(get).toEqual(getRouted);
    const [head, headRouted] = await both(req("HEAD", path, u));
    expect(head).toEqual(headRouted);
    expect(head.body).toBe("");
    expect(head.headers.etag).toBe(get.headers.etag);
  });

  it("errors: the 401 challenge (RFC 7617), 404, a 403 with its DAV:error precondition (RFC 4791 §5.3.2.1), and 413", async () => {
    const u = await newUser("serve");
    const home = `/calendars/${u.user}/`;
    const cases = [
      req("PROPFIND", home, null, { headers: { Depth: "0" } }),
      req("GET", `${home}calendar/missing-${rnd()}.ics`, u),
      req("HEAD", `${home}calendar/missing-${rnd()}.ics`, u),
      req("PUT", `${home}calendar/${rnd()}.ics`, u, { headers: { "Content-Type": "text/calendar" }, body: crlf("BEGIN:VCALENDAR\nEND:VCALENDAR\n") }),
      req("REPORT", home, u, { headers: { "Content-Type": "application/xml", "Content-Length": String(XML_BODY_CAP + 1) }, body: "<x/>" }),
      req("PROPFIND", `/principals/${u.user}/`, u, { headers: { Depth: "0", "Content-Type": "application/xml" }, body: "<not-xml" }),
    ];
    const statuses: number[] = [];
    for (const make of cases) {
      const [direct, routed] = await both(make);
      expect(direct).toEqual(routed);
      statuses.push(direct.status);
    }
    expect(statuses).toEqual([401, 404, 404, 403, 413, 400]);
  });

  it("OPTIONS without credentials, and POST with X-HTTP-Method-Override", async () => {
    const u = await newUser("serve");
    const [options, optionsRouted] = await both(req("OPTIONS", `/calendars/${u.user}/calendar/`, null));
    expect(options.status).toBe(200);
    expect(options).toEqual(optionsRouted);
    // MKCALENDAR, which the platform refuses before any Worker code (README), carried by POST: made once, then 403
    // DAV:resource-must-be-null (RFC 4791 §5.3.1.1).
    const path = `/calendars/${u.user}/made-${rnd()}/`;
    const direct = await through(serve, req("POST", path, u, { headers: { "X-HTTP-Method-Override": "MKCALENDAR" } }));
    expect(direct.status).toBe(201);
    const [again, againRouted] = await both(req("POST", path, u, { headers: { "X-HTTP-Method-Override": "MKCALENDAR" } }));
    expect(again.status).toBe(403);
    expect(again.body).toContain("resource-must-be-null");
    expect(again).toEqual(againRouted);
  });

  it("paths the app routes (the well-known URI, RFC 6764 §5) still go through it", async () => {
    const ctx = createExecutionContext();
    const res = await serve(new Request(new URL("/.well-known/caldav", BASE), { redirect: "manual" }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(301);
    expect(new URL(res.headers.get("location")!, BASE).pathname).toBe("/");
  });
});
