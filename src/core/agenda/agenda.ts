// The agenda: the instances of the coming days across a person's calendars,
// laid out day by day in their timezone. Instances come from the query
// core's recurrence walk (query/instances.ts via instancesInRange: RFC 5545
// §3.8.5 with overrides, §9.9 overlap of RFC 4791), within its bounds; an
// object whose walk is cut short is listed as skipped, never half shown.
// Floating times and all-day DATEs are wall-clock times of the person
// (RFC 5545 §3.3.5 form 1, §3.3.4), so they are read in the agenda's zone.
// Pure: the adapter (src/web/agenda/agenda.ts) reads and budgets.
import ICAL from "ical.js";
import type { ParsedCalendar } from "../ical/parse.js";
import { utcMsToIcalTime } from "../ical/time.js";
import { normAddress } from "../schedule/calendar.js";
import type { Instance } from "../query/instances.js";
import { instancesInRange } from "../query/time-range.js";
import { toZone } from "../ical/zone-offset.js";

/** Longest agenda page, in days. */
export const MAX_DAYS = 62;
/** Most items one agenda holds (over all objects); past it the agenda says it is truncated. */
export const MAX_ITEMS = 2_000;

export interface CalendarRef {
  name: string;
  displayName: string;
  /** calendar-color as stored ("#RRGGBB[AA]"), or null. */
  color: string | null;
}

export interface AgendaItem {
  /** ms UTC; end = start for an instant. */
  start: number;
  end: number;
  /** Wall-clock "YYYY-MM-DDTHH:MM" in the agenda's zone; for all-day items the dates "YYYY-MM-DD" (end exclusive). */
  startLocal: string;
  endLocal: string;
  allDay: boolean;
  summary: string;
  location: string;
  /** STATUS (CONFIRMED, TENTATIVE, CANCELLED), "" when absent. */
  status: string;
  /** The person's own PARTSTAT when they are an attendee, else null. */
  partstat: string | null;
  calendar: CalendarRef;
  href: string;
  uid: string;
  /** The instance's RECURRENCE-ID as ms UTC; null for a single event. */
  recurrenceId: number | null;
}

export interface AgendaDay {
  /** "YYYY-MM-DD" in the agenda's zone. */
  date: string;
  items: AgendaItem[];
}

export interface Agenda {
  zone: string;
  days: AgendaDay[];
  /** Objects whose instances could not be walked within the server's bounds (ical/limits.ts). */
  skipped: Array<{ href: string; summary: string }>;
  /** More than MAX_ITEMS items: the objects past it (in calendar order) are left out. */
  truncated: boolean;
}

export interface Window {
  dates: string[];
  /** ms UTC: local midnight of the first date, and of the day after the last. */
  start: number;
  end: number;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A "YYYY-MM-DD" date as an ICAL DATE, or null when it is none (or outside 1900-2200). */
export function parseDate(s: string): ICAL.Time | null {
  const m = DATE.exec(s);
  if (!m) return null;
  const [year, month, day] = m.slice(1).map(Number) as [number, number, number];
  if (year < 1900 || year > 2200 || month < 1 || month > 12 || day < 1 || day > ICAL.Time.daysInMonth(month, year)) return null;
  return ICAL.Time.fromData({ year, month, day, isDate: true });
}

const midnight = (d: ICAL.Time, zone: ICAL.Timezone): number =>
  new ICAL.Time({ year: d.year, month: d.month, day: d.day, hour: 0, minute: 0, second: 0, isDate: false }, zone).toUnixTime() * 1000;

const addDays = (d: ICAL.Time, n: number): ICAL.Time => {
  const t = d.clone();
  t.adjust(n, 0, 0, 0);
  return t;
};

/** The dates from `from` on for `days` days (1..MAX_DAYS) and the instants that bound them in `zone`. */
export function agendaWindow(from: ICAL.Time, days: number, zone: ICAL.Timezone): Window {
  const n = Math.min(Math.max(1, Math.floor(days)), MAX_DAYS);
  const dates = Array.from({ length: n }, (_, i) => addDays(from, i).toString());
  return { dates, start: midnight(from, zone), end: midnight(addDays(from, n), zone) };
}

/** Today's date in `zone`. */
export function today(now: number, zone: ICAL.Timezone): ICAL.Time {
  const t = toZone(utcMsToIcalTime(now), zone);
  return ICAL.Time.fromData({ year: t.year, month: t.month, day: t.day, isDate: true });
}

const pad = (n: number) => String(n).padStart(2, "0");

/** "YYYY-MM-DDTHH:MM" of an instant in `zone`. */
export function localTime(ms: number, zone: ICAL.Timezone): string {
  const t = toZone(utcMsToIcalTime(ms), zone);
  return `${String(t.year).padStart(4, "0")}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}`;
}

const text = (c: ICAL.Component, name: string): string => {
  const v = c.getFirstPropertyValue(name);
  return typeof v === "string" ? v : "";
};

function partstatOf(c: ICAL.Component, addresses: ReadonlySet<string>): string | null {
  const mine = c.getAllProperties("attendee").find((p) => addresses.has(normAddress(p.getFirstValue())));
  return mine ? String(mine.getParameter("partstat") ?? "NEEDS-ACTION").toUpperCase() : null;
}

export interface ObjectMeta {
  href: string;
  calendar: CalendarRef;
  /** The person's addresses, normalized (schedule/calendar.ts normAddress). */
  addresses: ReadonlySet<string>;
}

function itemOf(i: Instance, meta: ObjectMeta, uid: string, zone: ICAL.Timezone): AgendaItem | null {
  if (i.start === null || !i.startTime) return null;
  const c = i.component.comp;
  const end = Math.max(i.end ?? i.start, i.start);
  const allDay = i.startTime.isDate;
  const endDate = i.endTime?.isDate ? i.endTime.toString() : addDays(i.startTime, 1).toString();
  return {
    start: i.start,
    end,
    startLocal: allDay ? i.startTime.toString() : localTime(i.start, zone),
    endLocal: allDay ? (endDate > i.startTime.toString() ? endDate : addDays(i.startTime, 1).toString()) : localTime(end, zone),
    allDay,
    summary: text(c, "summary"),
    location: text(c, "location"),
    status: text(c, "status").toUpperCase(),
    partstat: partstatOf(c, meta.addresses),
    calendar: meta.calendar,
    href: meta.href,
    uid,
    recurrenceId: i.recurrenceIdMs,
  };
}

/**
 * The VEVENT instances of one object in the window, at most `limit`; complete = false when its walk was cut short
 * by the recurrence bounds or the limit (the caller lists it as skipped or the agenda as truncated).
 */
export function objectItems(obj: ParsedCalendar, window: Window, zone: ICAL.Timezone, meta: ObjectMeta, limit: number): { items: AgendaItem[]; complete: boolean } {
  if (obj.component !== "VEVENT") return { items: [], complete: true };
  const { instances, complete } = instancesInRange(obj, { start: window.start, end: window.end }, zone, limit + 1);
  const items = instances.flatMap((i) => itemOf(i, meta, obj.uid, zone) ?? []);
  return items.length > limit ? { items: items.slice(0, limit), complete: false } : { items, complete };
}

/** Items by day: an item is on every day it overlaps (an instant on the day it falls in); all-day items first. */
export function layoutDays(window: Window, items: AgendaItem[], zone: ICAL.Timezone): AgendaDay[] {
  const sorted = [...items].sort((a, b) => Number(b.allDay) - Number(a.allDay) || a.start - b.start || a.summary.localeCompare(b.summary));
  return window.dates.map((date, k) => {
    const d = parseDate(date)!;
    const ds = k === 0 ? window.start : midnight(d, zone);
    const de = k === window.dates.length - 1 ? window.end : midnight(addDays(d, 1), zone);
    const on = sorted.filter((it) =>
      it.allDay ? it.startLocal <= date && date < it.endLocal : it.start < de && (it.end > ds || (it.end === it.start && it.start >= ds)),
    );
    return { date, items: on };
  });
}
