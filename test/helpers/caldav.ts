// Higher-level helpers for the worker tests: unique users, MKCALENDAR (via
// dispatch and via the POST override), PUT of iCalendar, single-resource
// PROPFIND, and white-box access to a calendar home's SQLite and R2 bodies.
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { dispatch } from "../../src/app.js";
import { DavContext } from "../../src/dav/context.js";
import { renderError } from "../../src/http/render.js";
import type { CalendarHome } from "../../src/home/calendar-home.js";
import type { Sql } from "../../src/sql.js";
import { childElements, textOf, type XmlElement } from "../../src/core/xml/tree.js";
import { BASE, createUser, dav, multistatus, propfindBody, type Creds, type ResponseResult } from "./dav-client.js";

export const NS_DECL =
  'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CS="http://calendarserver.org/ns/" xmlns:A="http://apple.com/ns/ical/"';

export const D = (local: string) => `{DAV:}${local}`;
export const CAL = (local: string) => `{urn:ietf:params:xml:ns:caldav}${local}`;
export const CS = (local: string) => `{http://calendarserver.org/ns/}${local}`;
export const ICAL = (local: string) => `{http://apple.com/ns/ical/}${local}`;

/** A short random suffix, lower-case hex, valid in principal and resource names. */
export const rnd = () => crypto.randomUUID().replaceAll("-", "").slice(0, 10);

/** Storage is shared between tests, so every test creates its own principal. */
export async function newUser(prefix = "u", opts: { emails?: string[]; name?: string; password?: string } = {}): Promise<Creds> {
  const user = `${prefix}-${rnd()}`;
  return createUser(user, opts);
}

/** Real clients send CRLF; fixture files are stored with LF. */
export const crlf = (s: string) => s.replace(/\r?\n/g, "\r\n");

/** A small, valid calendar object resource. */
export function ics(opts: {
  uid?: string;
  component?: "VEVENT" | "VTODO";
  summary?: string;
  start?: string;
  end?: string;
  extra?: string[];
} = {}): string {
  const uid = opts.uid ?? `${rnd()}@test.example`;
  const comp = opts.component ?? "VEVENT";
  const lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//edge-caldav tests//EN", `BEGIN:${comp}`, `UID:${uid}`, "DTSTAMP:20250101T000000Z"];
  if (comp === "VEVENT") {
    lines.push(`DTSTART:${opts.start ?? "20250610T090000Z"}`, `DTEND:${opts.end ?? "20250610T100000Z"}`);
  } else {
    lines.push(`DUE:${opts.end ?? "20250610T100000Z"}`);
  }
  lines.push(`SUMMARY:${opts.summary ?? "Test"}`, ...(opts.extra ?? []), `END:${comp}`, "END:VCALENDAR", "");
  return lines.join("\r\n");
}

export const home = (c: Creds) => `/calendars/${c.user}/`;
export const cal = (c: Creds, name = "calendar") => `/calendars/${c.user}/${name}/`;
export const principal = (c: Creds) => `/principals/${c.user}/`;

export async function put(c: Creds, path: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return dav("PUT", path, { as: c, body, headers });
}

/** PUT that must succeed; returns the ETag. */
export async function putOk(c: Creds, path: string, body: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await put(c, path, body, headers);
  if (res.status !== 201 && res.status !== 204) throw new Error(`PUT ${path}: ${res.status} ${await res.text()}`);
  return res.headers.get("etag") ?? "";
}

/** PROPFIND with the given Clark-ish prefixed names (D:, C:, CS:, A:) and the response for one href. */
export async function propfindOne(c: Creds, path: string, props: string[], depth = "0", headers: Record<string, string> = {}): Promise<ResponseResult> {
  const res = await dav("PROPFIND", path, { as: c, headers: { Depth: depth, ...headers }, body: propfindBody(props) });
  const ms = await multistatus(res);
  const r = ms.get(path);
  if (!r) throw new Error(`no response for ${path}; got ${[...ms.keys()].join(", ")}`);
  return r;
}

/** The text of a property that must have answered 200. */
export function propText(r: ResponseResult, clark: string): string {
  const p = r.props.get(clark);
  if (!p) throw new Error(`${clark} missing from the response for ${r.href}`);
  if (p.status !== 200) throw new Error(`${clark} answered ${p.status} for ${r.href}`);
  return textOf(p.element).trim();
}

export const childNames = (e: XmlElement | undefined) => (e ? childElements(e).map((c) => c.name) : []);

/** Privileges listed in a DAV:current-user-privilege-set value. */
export const privilegesOf = (e: XmlElement) =>
  childElements(e)
    .filter((p) => p.name === D("privilege"))
    .flatMap((p) => childNames(p));

export function xmlBody(root: string, inner: string, ns = NS_DECL): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n<${root} ${ns}>${inner}</${root.split(" ")[0]}>`;
}

export const proppatchBody = (set: string, remove = "") =>
  xmlBody("D:propertyupdate", `${set ? `<D:set><D:prop>${set}</D:prop></D:set>` : ""}${remove ? `<D:remove><D:prop>${remove}</D:prop></D:remove>` : ""}`);

export const mkcalendarBody = (props: string) => xmlBody("C:mkcalendar", `<D:set><D:prop>${props}</D:prop></D:set>`);

export const mkcolBody = (props: string, resourcetype = "<D:collection/><C:calendar/>") =>
  xmlBody("D:mkcol", `<D:set><D:prop><D:resourcetype>${resourcetype}</D:resourcetype>${props}</D:prop></D:set>`);

/** MKCALENDAR through the method table directly (workerd's Request refuses the method). */
export async function mkcalendar(c: Creds, path: string, body = ""): Promise<Response> {
  const user = await env.DIRECTORY.getByName("main").getPrincipal(c.user);
  if (!user) throw new Error(`no principal ${c.user}`);
  const ctx = new DavContext(env, user);
  const headers = new Headers(body ? { "Content-Type": "application/xml; charset=utf-8" } : {});
  try {
    return await dispatch({ method: "MKCALENDAR", url: new URL(path, BASE), headers, body: new TextEncoder().encode(body) }, ctx);
  } catch (e) {
    return renderError(e);
  }
}

/** MKCALENDAR as a client behind a method-restricting proxy sends it. */
export async function mkcalendarOverride(c: Creds, path: string, body = ""): Promise<Response> {
  return dav("POST", path, { as: c, body, headers: { "X-HTTP-Method-Override": "MKCALENDAR", "Content-Type": "application/xml; charset=utf-8" } });
}

export const homeStub = (user: string) => env.CALENDAR_HOME.getByName(user) as DurableObjectStub<CalendarHome>;

/** Runs SQL inside a user's calendar home. */
export async function homeSql<T = Record<string, SqlStorageValue>>(user: string, query: string, ...params: unknown[]): Promise<T[]> {
  // Through the home's own Sql, as every statement of the server is: a write moves its version (src/sql.ts), so
  // nothing the home keeps in memory (listings, kept answers: src/dav/answer-cache.ts) outlives it.
  return runInDurableObject(homeStub(user), (instance: CalendarHome) => (instance as unknown as { sql: Sql }).sql.all(query, ...params) as T[]);
}

/** Lets the garbage grace period elapse (by back-dating the queue) and runs the home's alarm. */
export async function collectGarbageNow(user: string): Promise<void> {
  await runInDurableObject(homeStub(user), async (instance: CalendarHome, state: DurableObjectState) => {
    state.storage.sql.exec("UPDATE garbage SET due = 0");
    await instance.alarm();
  });
}

export async function homeEpoch(user: string): Promise<string> {
  const rows = await homeSql<{ value: string }>(user, "SELECT value FROM meta WHERE key = 'epoch'");
  if (!rows[0]) throw new Error(`home ${user} has no epoch`);
  return rows[0].value;
}

/** Every R2 key under a prefix. */
export async function r2Keys(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.BODIES.list({ prefix, limit: 1000, ...(cursor ? { cursor } : {}) });
    keys.push(...page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return keys;
}

/** Keys of the R2 bodies that object rows of a home point at (bodies kept in their rows have none). */
export async function referencedKeys(user: string): Promise<string[]> {
  return (await homeSql<{ body_key: string }>(user, "SELECT body_key FROM objects WHERE body_key != ''")).map((r) => r.body_key);
}

/** Rows with no body at all: neither in the row nor in R2 (there must never be one). */
export async function rowsWithoutBody(user: string): Promise<string[]> {
  return (await homeSql<{ name: string }>(user, "SELECT name FROM objects WHERE body IS NULL AND body_key = ''")).map((r) => r.name);
}

/**
 * Replaces the stored body of an object behind the server's back, wherever it is kept (its row or R2): what an
 * earlier version of the server would have stored.
 */
export async function overwriteStoredBody(user: string, name: string, text: string): Promise<void> {
  const [row] = await homeSql<{ body_key: string }>(user, "SELECT body_key FROM objects WHERE name = ?", name);
  if (!row) throw new Error(`no object ${name} for ${user}`);
  if (row.body_key) await env.BODIES.put(row.body_key, text);
  else await homeSql(user, "UPDATE objects SET body = ? WHERE name = ?", text, name);
}

/** A calendar object too large to live in its row (home/bodies.ts INLINE_BODY_MAX): its body is kept in R2. */
export const r2Ics = (opts: Parameters<typeof ics>[0] = {}) => ics({ ...opts, extra: [...(opts.extra ?? []), `DESCRIPTION:${"x".repeat(600_000)}`] });

export async function adminFetch(method: string, path: string, body?: unknown, token = "test-admin-token"): Promise<Response> {
  const { exports } = await import("cloudflare:workers");
  return exports.default.fetch(
    new Request(new URL(`/admin/api${path}`, BASE), {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
      body: body !== undefined ? JSON.stringify(body) : null,
    }),
  );
}

/** Report names listed in a DAV:supported-report-set value (RFC 3253 §3.1.5). */
export const reportsOf = (e: XmlElement) =>
  childElements(e)
    .filter((sr) => sr.name === D("supported-report"))
    .flatMap((sr) => childElements(sr).filter((r) => r.name === D("report")))
    .flatMap((r) => childNames(r));

/** Component names in a CALDAV:supported-calendar-component-set value (RFC 4791 §5.2.3). */
export const compsOf = (e: XmlElement) =>
  childElements(e)
    .filter((c) => c.name === CAL("comp"))
    .map((c) => c.attrs["name"] ?? "");
