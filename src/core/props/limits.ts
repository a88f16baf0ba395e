// Caps on the properties a client can make the server keep on one resource
// (dead properties and the writable live ones, all stored the same way), and
// the one measure of their size that the caps and the quota both use: the
// UTF-8 octets of the name and of the stored value. A PROPPATCH or MKCOL
// that would pass a cap fails as a whole, the offending properties with 507
// Insufficient Storage (RFC 4918 §9.2.1), the rest 424.
import type { XmlElement } from "../xml/tree.js";

/** The numbers, in one place (README "Properties"). */
export const PROP_LIMITS = {
  /** Properties stored on one resource. */
  perResource: 100,
  /** Octets of all of them together. */
  bytesPerResource: 64 * 1024,
  /** Octets of one (name and value); a whole VTIMEZONE in calendar-timezone fits easily. */
  bytesPerValue: 32 * 1024,
} as const;

const utf8 = new TextEncoder();

/** Octets a property occupies as stored: its Clark name and its value as JSON (what the props table holds). */
export const propBytes = (name: string, value: XmlElement): number =>
  utf8.encode(name).byteLength + utf8.encode(JSON.stringify(value)).byteLength;

/** A stored property's name and size, or a change: a new size, or null to remove. */
export interface SizedProp {
  name: string;
  bytes: number;
}
export interface SizedChange {
  name: string;
  bytes: number | null;
}

export type Overflow = "value" | "count" | "size";

/**
 * The changes that would take a resource past a cap, by name and why. Only
 * changes that add or grow something are blamed: removing or shrinking a
 * property never fails.
 */
export function overflows(stored: readonly SizedProp[], changes: readonly SizedChange[]): Map<string, Overflow> {
  const after = new Map(stored.map((p) => [p.name, p.bytes]));
  const before = new Map(after);
  for (const c of changes) {
    if (c.bytes === null) after.delete(c.name);
    else after.set(c.name, c.bytes);
  }
  const out = new Map<string, Overflow>();
  const grows = (c: SizedChange) => c.bytes !== null && c.bytes > (before.get(c.name) ?? 0);
  for (const c of changes) if (c.bytes !== null && c.bytes > PROP_LIMITS.bytesPerValue) out.set(c.name, "value");
  if (after.size > PROP_LIMITS.perResource && after.size > before.size)
    for (const c of changes) if (c.bytes !== null && !before.has(c.name) && !out.has(c.name)) out.set(c.name, "count");
  let total = 0;
  for (const b of after.values()) total += b;
  if (total > PROP_LIMITS.bytesPerResource) for (const c of changes) if (grows(c) && !out.has(c.name)) out.set(c.name, "size");
  return out;
}

/** How many octets the changes add (negative when they free some). */
export function growth(stored: readonly SizedProp[], changes: readonly SizedChange[]): number {
  const sizes = new Map(stored.map((p) => [p.name, p.bytes]));
  let delta = 0;
  for (const c of changes) {
    delta += (c.bytes ?? 0) - (sizes.get(c.name) ?? 0);
    if (c.bytes === null) sizes.delete(c.name);
    else sizes.set(c.name, c.bytes);
  }
  return delta;
}
