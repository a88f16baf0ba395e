// What the index can say about one event's busy time (RFC 4791 §7.10, RFC
// 6638 §5 free-busy requests) without its body. The index keeps each event's
// busy code (summary.ts IndexedBusy: TRANSP and STATUS, the same for all
// its components, or VARIES) and each indexed instance's (instance-index.ts).
// It describes an event exactly when its times are zoned (a floating or
// all-day time depends on the calendar's timezone, §7.10) and either it is
// one instance whose index span is exact, or its instances are indexed past
// the range's end. An event that holds no busy time at all (every component
// transparent or cancelled) is decided whatever its times. Anything else,
// VFREEBUSY components among it, is read from its body.
import { BUSY, type BusyCode } from "../ical/component.js";
import { BUSY_VARIES } from "../ical/summary.js";
import type { BusyType, Period } from "./freebusy.js";

/** An object's index row, as far as busy time goes. */
export interface BusyRow {
  component: string;
  start: number | null;
  end: number | null;
  recurring: boolean;
  floating: boolean;
  exact: boolean;
  /** summary.ts IndexedBusy, null when unknown (not an event, or indexed before schema v7). */
  busy: number | null;
  /** Instances are indexed up to this instant (ms UTC), null when not indexed. */
  instUntil: number | null;
}

/** free: no busy time; span: the row's own span; instances: the instance rows; body: only the body can tell. */
export type BusySource = "free" | "span" | "instances" | "body";

export function busySource(row: BusyRow, range: { start: number; end: number }): BusySource {
  if (row.component !== "VEVENT" || row.busy === null) return "body";
  if (row.busy === BUSY.FREE) return "free";
  if (row.floating) return "body";
  if (!row.recurring) return row.exact && row.start !== null && row.end !== null ? "span" : "body";
  return row.instUntil !== null && row.instUntil >= range.end ? "instances" : "body";
}

const TYPE: Record<BusyCode, BusyType | null> = { [BUSY.FREE]: null, [BUSY.TENTATIVE]: "BUSY-TENTATIVE", [BUSY.BUSY]: "BUSY" };

/**
 * The busy period of one span (an exact object span or an indexed instance), clipped to the range, or null.
 * `code` is the object's IndexedBusy; VARIES takes the instance's own code.
 */
function spanBusy(
  span: { start: number; end: number; busy?: number | null },
  code: number,
  range: { start: number; end: number },
): Period | null {
  const c = (code === BUSY_VARIES ? span.busy : code) as BusyCode | null | undefined;
  const type = c === null || c === undefined ? null : TYPE[c];
  // Instants hold no busy time; an instance overlaps when it starts before the end and ends after the start (§9.9).
  if (!type || span.end <= span.start) return null;
  const start = Math.max(span.start, range.start);
  const end = Math.min(span.end, range.end);
  return end > start ? { start, end, type } : null;
}

/**
 * The busy periods of one event from its index (clipped, not merged), or null when only its body can tell.
 * `instances` gives its indexed instance spans overlapping the range (asked only for a recurring event).
 */
export function busyFromIndex(
  row: BusyRow,
  range: { start: number; end: number },
  instances: () => Iterable<{ start: number; end: number; busy: number | null }>,
): Period[] | null {
  const source = busySource(row, range);
  if (source === "body") return null;
  if (source === "free") return [];
  const spans = source === "span" ? [{ start: row.start!, end: row.end! }] : instances();
  const out: Period[] = [];
  for (const span of spans) {
    const p = spanBusy(span, row.busy!, range);
    if (p) out.push(p);
  }
  return out;
}
