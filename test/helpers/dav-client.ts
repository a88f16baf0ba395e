// A small DAV client for worker tests: one helper per verb over the Worker's
// own fetch, users created through the admin API, and multistatus parsing
// into href → property → { status, element }.
import { exports } from "cloudflare:workers";
import { parseXml } from "../../src/core/xml/parse.js";
import { childElements, child, textOf, type XmlElement } from "../../src/core/xml/tree.js";

export const BASE = "http://caldav.test";
export const ADMIN_TOKEN = "test-admin-token";

export interface Creds {
  user: string;
  password: string;
}

export function basic(c: Creds): string {
  const bytes = new TextEncoder().encode(`${c.user}:${c.password}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

export interface Req {
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  as?: Creds | null;
}

export async function dav(method: string, path: string, init: Req = {}): Promise<Response> {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (init.as) headers["Authorization"] = basic(init.as);
  if (typeof init.body === "string" && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type"))
    headers["Content-Type"] = method === "PUT" ? "text/calendar; charset=utf-8" : "application/xml; charset=utf-8";
  return exports.default.fetch(new Request(new URL(path, BASE), { method, headers, body: init.body ?? null }));
}

export async function createUser(user: string, opts: { password?: string; emails?: string[]; name?: string; type?: string } = {}): Promise<Creds> {
  const password = opts.password ?? `${user}-password`;
  const res = await exports.default.fetch(
    new Request(`${BASE}/admin/api/users/${encodeURIComponent(user)}`, {
      method: "PUT",
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        password,
        emails: opts.emails ?? [`${user}@example.com`],
        ...(opts.name ? { displayName: opts.name } : {}),
        ...(opts.type ? { type: opts.type } : {}),
      }),
    }),
  );
  if (!res.ok) throw new Error(`createUser ${user}: ${res.status} ${await res.text()}`);
  return { user, password };
}

export interface PropResult {
  status: number;
  element: XmlElement;
  error?: XmlElement | undefined;
}

export interface ResponseResult {
  href: string;
  status?: number;
  props: Map<string, PropResult>;
  error?: XmlElement | undefined;
}

const statusOf = (e: XmlElement | undefined) => (e ? Number(/HTTP\/\d\.\d (\d{3})/.exec(textOf(e))?.[1]) : undefined);

export function parseMultistatus(xml: string): Map<string, ResponseResult> {
  const doc = parseXml(xml);
  if (doc.name !== "{DAV:}multistatus") throw new Error(`not a multistatus: ${doc.name}`);
  const out = new Map<string, ResponseResult>();
  for (const r of childElements(doc).filter((e) => e.name === "{DAV:}response")) {
    const href = textOf(child(r, "{DAV:}href")!).trim();
    const props = new Map<string, PropResult>();
    for (const ps of childElements(r).filter((e) => e.name === "{DAV:}propstat")) {
      const status = statusOf(child(ps, "{DAV:}status"))!;
      const error = child(ps, "{DAV:}error");
      for (const p of childElements(child(ps, "{DAV:}prop")!)) props.set(p.name, { status, element: p, error });
    }
    const s = statusOf(child(r, "{DAV:}status"));
    out.set(href, { href, ...(s !== undefined ? { status: s } : {}), props, error: child(r, "{DAV:}error") });
  }
  return out;
}

export async function multistatus(res: Response): Promise<Map<string, ResponseResult>> {
  const text = await res.text();
  if (res.status !== 207) throw new Error(`expected 207, got ${res.status}: ${text}`);
  return parseMultistatus(text);
}

/** The DAV:error body of a failed request, as the Clark names of its conditions. */
export async function errorConditions(res: Response): Promise<string[]> {
  const text = await res.text();
  const doc = parseXml(text);
  if (doc.name !== "{DAV:}error") throw new Error(`not a DAV:error body: ${text}`);
  return childElements(doc).map((e) => e.name);
}

export const hrefText = (e: XmlElement | undefined): string[] =>
  e ? childElements(e).filter((c) => c.name === "{DAV:}href").map((c) => textOf(c).trim()) : [];

export function propfindBody(props: string[], ns = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CS="http://calendarserver.org/ns/" xmlns:A="http://apple.com/ns/ical/"'): string {
  return `<?xml version="1.0" encoding="utf-8"?><D:propfind ${ns}><D:prop>${props.map((p) => `<${p}/>`).join("")}</D:prop></D:propfind>`;
}

/** Like dav(), but hands back 3xx responses instead of following them (the service binding follows by default). */
export async function davNoFollow(method: string, path: string, init: Req = {}): Promise<Response> {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (init.as) headers["Authorization"] = basic(init.as);
  if (typeof init.body === "string" && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type"))
    headers["Content-Type"] = method === "PUT" ? "text/calendar; charset=utf-8" : "application/xml; charset=utf-8";
  return exports.default.fetch(new Request(new URL(path, BASE), { method, headers, body: (init.body ?? null) as BodyInit | null, redirect: "manual" }));
}
