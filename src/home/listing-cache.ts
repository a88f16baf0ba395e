// A collection's listing (every member, no bodies: what a Depth-1 PROPFIND
// reads, RFC 4918 §9.1) kept in the home's memory while nothing was
// written. Clients poll Depth-1 PROPFINDs of unchanged calendars all the
// time, and reading 10,000 rows is most of such a request's cost. Any
// statement that may write (sql.ts Sql.version) makes every entry stale, so
// no write path has to remember this cache. Bounded by the memory held
// (estimated), so a home whose members carry large dead properties cannot
// make it grow.
import type { ObjectInfo } from "../core/model.js";
import type { Sql } from "../sql.js";

/** Estimated memory held across all entries. */
export const LISTING_CACHE_BYTES = 8 * 1024 * 1024;
/** Estimated cost of a member without properties (its strings and record). */
const MEMBER_BYTES = 400;

/** Estimated bytes of a listing: a fixed cost per member, plus its dead properties (UTF-16, twice their length). */
function sizeOf(objects: ObjectInfo[]): number {
  let n = 0;
  for (const o of objects) {
    n += MEMBER_BYTES;
    for (const _ in o.props) {
      n += 2 * JSON.stringify(o.props).length;
      break;
    }
  }
  return n;
}

export class ListingCache {
  private readonly entries = new Map<number, { version: number; objects: ObjectInfo[]; bytes: number }>();
  private held = 0;

  constructor(private readonly maxBytes = LISTING_CACHE_BYTES) {}

  /** The listing of collection `id`: from memory if nothing was written since it was read, else from `read`. */
  get(sql: Sql, id: number, read: () => ObjectInfo[]): ObjectInfo[] {
    const hit = this.entries.get(id);
    if (hit && hit.version === sql.version) return hit.objects;
    this.drop(id);
    const version = sql.version;
    const objects = read();
    const bytes = sizeOf(objects);
    if (bytes > this.maxBytes) return objects;
    // Oldest out first until it fits.
    for (const [k] of this.entries) {
      if (this.held + bytes <= this.maxBytes) break;
      this.drop(k);
    }
    this.entries.set(id, { version, objects, bytes });
    this.held += bytes;
    return objects;
  }

  private drop(id: number): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.held -= e.bytes;
    this.entries.delete(id);
  }
}
