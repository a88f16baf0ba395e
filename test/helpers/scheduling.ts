// Helpers for the implicit-scheduling scenarios (RFC 6638) in the Workers
// runtime: a cast of fresh principals with their calendar-user addresses,
// meeting bodies, reading scheduling copies with ical.js (PARTSTAT,
// SCHEDULE-STATUS, SEQUENCE, DTSTART per instance), polling until the queue
// consumer has done its work, and the inbox listing.
import ICAL from "ical.js";
import { env } from "cloudflare:workers";
import { createUser, dav, multistatus, propfindBody, type Creds } from "./dav-client.js";
import { homeSql, rnd } from "./caldav.js";
import type { Principal } from "../../src/core/model.js";

export interface Party extends Creds {
  email: string;
  /** The calendar-user address, "mailto:<email>". */
  address: string;
}

/** A fresh principal `<prefix>-<random>` with one e-mail address. */
export async function party(prefix: string, opts: { type?: string; name?: string } = {}): Promise<Party> {
  const user = `${prefix}-${rnd()}`;
  const email = `${user}@example.com`;
  const creds = await createUser(user, { emails: [email], ...(opts.type ? { type: opts.type } : {}), ...(opts.name ? { name: opts.name } : {}) });
  return { ...creds, email, address: `mailto:${email}` };
}

/** Several fresh principals at once, keyed by prefix. */
export async function cast<K extends string>(...prefixes: K[]): Promise<Record<K, Party>> {
  const list = await Promise.all(prefixes.map((p) => party(p)));
  return Object.fromEntries(prefixes.map((p, i) => [p, list[i]!])) as Record<K, Party>;
}

export const newUid = (tag: string) => `${tag}-${rnd()}@sched.test`;

/** The name the server gives a delivered copy: the UID with characters outside A-Za-z0-9._@+- as "_". */
export const copyName = (uid: string) => `${uid.replace(/[^A-Za-z0-9._@+-]/g, "_")}.ics`;
export const copyPath = (p: Creds, uid: string, calendar = "calendar") => `/calendars/${p.user}/${calendar}/${copyName(uid)}`;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits until the wall clock is in a later second (iTIP DTSTAMPs have one-second resolution). */
export async function nextSecond(): Promise<void> {
  const s = Math.floor(Date.now() / 1000);
  while (Math.floor(Date.now() / 1000) === s) await sleep(25);
}

// ---------------------------------------------------------------- bodies

export interface Att {
  who: Party | string;
  partstat?: string;
  /** Extra parameters, e.g. ";SCHEDULE-AGENT=CLIENT" or ";CUTYPE=ROOM". */
  params?: string;
}

const addrOf = (w: Party | string) => (typeof w === "string" ? w : w.address);
const cnOf = (w: Party | string) => (typeof w === "string" ? w.replace(/^mailto:/, "").split("@")[0] : w.user);

export interface MeetingOpts {
  uid: string;
  organizer: Party;
  attendees: Att[];
  start: string;
  end: string;
  summary?: string;
  sequence?: number;
  dtstamp?: string;
  /** Extra lines in the master component (RRULE, TRANSP, STATUS, LOCATION...). */
  extra?: string[];
  /** Whole extra components (overrides), each a list of lines without BEGIN/END:VEVENT. */
  overrides?: string[][];
  /** The organizer's own VALARM in the master. */
  alarm?: boolean;
}

export function attendeeLine(a: Att): string {
  return `ATTENDEE;CN=${cnOf(a.who)};PARTSTAT=${a.partstat ?? "NEEDS-ACTION"};RSVP=TRUE${a.params ?? ""}:${addrOf(a.who)}`;
}

/** An Organizer's scheduling object resource (the organizer listed as ACCEPTED attendee, as clients do). */
export function meeting(o: MeetingOpts): string {
  const head = [
    `UID:${o.uid}`,
    `DTSTAMP:${o.dtstamp ?? "20261101T000000Z"}`,
    `SEQUENCE:${o.sequence ?? 0}`,
    `DTSTART:${o.start}`,
    `DTEND:${o.end}`,
    `SUMMARY:${o.summary ?? "Planning"}`,
    `ORGANIZER;CN=${o.organizer.user}:${o.organizer.address}`,
    `ATTENDEE;CN=${o.organizer.user};PARTSTAT=ACCEPTED;ROLE=CHAIR:${o.organizer.address}`,
    ...o.attendees.map(attendeeLine),
    ...(o.extra ?? []),
  ];
  const alarm = o.alarm ? ["BEGIN:VALARM", "TRIGGER:-PT15M", "ACTION:DISPLAY", "DESCRIPTION:organizer's own reminder", "END:VALARM"] : [];
  const lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//edge-caldav scheduling tests//EN", "BEGIN:VEVENT", ...head, ...alarm, "END:VEVENT"];
  for (const ov of o.overrides ?? []) lines.push("BEGIN:VEVENT", ...ov, "END:VEVENT");
  lines.push("END:VCALENDAR", "");
  return lines.join("\r\n");
}

/** Unfolds content lines (RFC 5545 §3.1) and normalizes to CRLF. */
export const unfold = (text: string) => text.replace(/\r?\n[ \t]/g, "").replace(/\r?\n/g, "\r\n");

/**
 * A fixture with its example addresses and UID replaced: lines are unfolded
 * first, since the RFC examples fold in the middle of addresses.
 */
export function fromFixture(text: string, replace: Record<string, string>): string {
  let out = unfold(text);
  for (const [from, to] of Object.entries(replace)) out = out.split(from).join(to);
  return out.endsWith("\r\n") ? out : `${out}\r\n`;
}

/** Sets PARTSTAT of one ATTENDEE line (every component) in a body, leaving the rest as it is. */
export function withPartstat(text: string, who: Party, partstat: string): string {
  const lines = unfold(text).split("\r\n");
  return lines
    .map((l) => {
      if (!/^ATTENDEE[;:]/i.test(l)) return l;
      const value = l.slice(valueStart(l));
      if (value.toLowerCase() !== who.address.toLowerCase()) return l;
      const params = l.slice(0, valueStart(l) - 1);
      const replaced = /;PARTSTAT=[^;:]*/i.test(params) ? params.replace(/;PARTSTAT=[^;:]*/i, `;PARTSTAT=${partstat}`) : `${params};PARTSTAT=${partstat}`;
      return `${replaced}:${value}`;
    })
    .join("\r\n");
}

/** Index just after the ":" that separates a content line's name and parameters from its value (quotes respected). */
function valueStart(line: string): number {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === ":" && !quoted) return i + 1;
  }
  return line.length;
}

/** Replaces whole property lines `NAME...` in the master (first) component only. */
export function replaceInFirst(text: string, name: string, replacement: string): string {
  const lines = unfold(text).split("\r\n");
  const first = lines.findIndex((l) => /^BEGIN:(VEVENT|VTODO)$/i.test(l));
  const end = lines.findIndex((l, i) => i > first && /^END:(VEVENT|VTODO)$/i.test(l));
  for (let i = first; i < end; i++) {
    if (new RegExp(`^${name}[;:]`, "i").test(lines[i]!)) lines[i] = replacement;
  }
  return lines.join("\r\n");
}

/** Drops every line for which `drop` is true. */
export const dropLines = (text: string, drop: (line: string) => boolean) =>
  unfold(text).split("\r\n").filter((l) => !drop(l)).join("\r\n");

/** Inserts lines before the first END:VEVENT/END:VTODO. */
export function addToFirst(text: string, ...extra: string[]): string {
  const lines = unfold(text).split("\r\n");
  const end = lines.findIndex((l) => /^END:(VEVENT|VTODO)$/i.test(l));
  lines.splice(end, 0, ...extra);
  return lines.join("\r\n");
}

// ---------------------------------------------------------------- reading copies

export interface Copy {
  status: number;
  text: string;
  etag: string | null;
  scheduleTag: string | null;
}

export async function getCopy(as: Creds, path: string): Promise<Copy> {
  const r = await dav("GET", path, { as });
  return { status: r.status, text: r.status === 200 ? await r.text() : "", etag: r.headers.get("etag"), scheduleTag: r.headers.get("schedule-tag") };
}

/** Polls `probe` every 100 ms until `accept` holds; fails with the last value seen. */
export async function eventually<T>(probe: () => Promise<T>, accept: (v: T) => boolean, what: string, timeout = 10_000): Promise<T> {
  const deadline = Date.now() + timeout;
  let last: T;
  for (;;) {
    last = await probe();
    if (accept(last)) return last;
    if (Date.now() > deadline) {
      const shown = typeof last === "string" ? last : JSON.stringify(last, null, 1);
      throw new Error(`timed out after ${timeout} ms waiting for ${what}; last seen:\n${String(shown).slice(0, 4000)}`);
    }
    await sleep(100);
  }
}

/** Waits until the copy at `path` exists and satisfies `accept`. */
export function waitCopy(as: Creds, path: string, accept: (c: Copy) => boolean = () => true, what = `${path}`, timeout = 10_000): Promise<Copy> {
  return eventually(() => getCopy(as, path), (c) => c.status === 200 && accept(c), what, timeout);
}

/** The VEVENT/VTODO components of a body. */
export function components(text: string): ICAL.Component[] {
  const cal = new ICAL.Component(ICAL.parse(text) as unknown[]);
  return cal.getAllSubcomponents().filter((c) => c.name === "vevent" || c.name === "vtodo");
}

export const masterOf = (text: string) => components(text).find((c) => !c.hasProperty("recurrence-id"));

/** RECURRENCE-ID as written ("20250113T100000" for a TZID value, "20250113T100000Z" for UTC); "" for the master. */
export function ridOf(c: ICAL.Component): string {
  const v = c.getFirstPropertyValue("recurrence-id");
  return v instanceof ICAL.Time ? v.toICALString() : "";
}

export const overrideOf = (text: string, rid: string) => components(text).find((c) => ridOf(c) === rid);

export function attendeeOf(c: ICAL.Component | undefined, who: Party | string): ICAL.Property | undefined {
  const a = addrOf(who).toLowerCase();
  return c?.getAllProperties("attendee").find((p) => String(p.getFirstValue()).toLowerCase() === a);
}

export function partstatOf(c: ICAL.Component | undefined, who: Party | string): string | undefined {
  const p = attendeeOf(c, who);
  return p ? String(p.getParameter("partstat") ?? "NEEDS-ACTION").toUpperCase() : undefined;
}

export function scheduleStatusOf(c: ICAL.Component | undefined, who: Party | string): string | undefined {
  const p = attendeeOf(c, who);
  const v = p?.getParameter("schedule-status");
  return v === undefined || v === null ? undefined : String(v);
}

export const organizerStatusOf = (c: ICAL.Component | undefined): string | undefined => {
  const v = c?.getFirstProperty("organizer")?.getParameter("schedule-status");
  return v === undefined || v === null ? undefined : String(v);
};

export const propText = (c: ICAL.Component | undefined, name: string): string | undefined => {
  const v = c?.getFirstPropertyValue(name);
  if (v === undefined || v === null) return undefined;
  return v instanceof ICAL.Time ? v.toICALString() : String(v);
};

export const sequenceOf = (c: ICAL.Component | undefined) => Number(c?.getFirstPropertyValue("sequence") ?? 0);
export const statusOf = (c: ICAL.Component | undefined) => propText(c, "status")?.toUpperCase();
export const methodOf = (text: string) => String(new ICAL.Component(ICAL.parse(text) as unknown[]).getFirstPropertyValue("method") ?? "");

/** PARTSTAT of `who` in the master of `text` (shorthand). */
export const ps = (text: string, who: Party | string) => partstatOf(masterOf(text), who);
/** SCHEDULE-STATUS of `who` in the master of `text` (shorthand). */
export const ss = (text: string, who: Party | string) => scheduleStatusOf(masterOf(text), who);

// ---------------------------------------------------------------- inbox and homes

/** The scheduling messages in a principal's inbox: href → body. */
export async function inbox(p: Creds): Promise<Map<string, string>> {
  const path = `/calendars/${p.user}/inbox/`;
  const res = await dav("PROPFIND", path, { as: p, headers: { Depth: "1" }, body: propfindBody(["D:getetag"]) });
  const ms = await multistatus(res);
  const out = new Map<string, string>();
  for (const href of ms.keys()) {
    if (href === path || !href.endsWith(".ics")) continue;
    const r = await dav("GET", href, { as: p });
    out.set(href, r.status === 200 ? await r.text() : `<GET ${r.status}>`);
  }
  return out;
}

/**
 * Inbox messages whose UID is `uid`, oldest first. The inbox keeps every message (RFC 6638 §2.2); they are
 * ordered as RFC 5546 §2.1.5 orders them: by SEQUENCE, then DTSTAMP.
 */
export async function inboxFor(p: Creds, uid: string): Promise<string[]> {
  const order = (t: string) => {
    const cs = components(t);
    const seq = Math.max(0, ...cs.map(sequenceOf));
    const stamp = cs.map((c) => propText(c, "dtstamp") ?? "").sort().at(-1) ?? "";
    return `${String(seq).padStart(6, "0")} ${stamp}`;
  };
  return [...(await inbox(p)).values()].filter((t) => unfold(t).includes(`\r\nUID:${uid}\r\n`)).sort((a, b) => order(a).localeCompare(order(b)));
}

/** Calendar object rows with this UID in a home (white-box: no duplicate copies). */
export async function rowsWithUid(p: Creds, uid: string): Promise<Array<{ collection: string; name: string }>> {
  return homeSql<{ collection: string; name: string }>(
    p.user,
    "SELECT c.name AS collection, o.name AS name FROM objects o JOIN collections c ON c.id = o.collection_id WHERE o.uid = ? AND c.kind = 'calendar'",
    uid,
  );
}

export async function principalOf(p: Creds): Promise<Principal> {
  const found = await env.DIRECTORY.getByName("main").getPrincipal(p.user);
  if (!found) throw new Error(`no principal ${p.user}`);
  return found as Principal;
}

/** A date-time "YYYYMMDDTHHMMSSZ" `days` days from now at `hour`:00 UTC (rooms only decide on future instances). */
export function futureUtc(days: number, hour: number, minute = 0): string {
  const d = new Date(Date.now() + days * 86_400_000);
  d.setUTCHours(hour, minute, 0, 0);
  return d.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}
