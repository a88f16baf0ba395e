// A collection's listing (every member, no bodies: what a Depth-1 PROPFIND
// reads, RFC 4918 §9.1) kept in the home's memory while nothing was
// written. Clients poll Depth-1 PROPFINDs of unchanged calendars all the
// time, and reading 10,000 rows is most of such a request's cost. Any
// statement that may write (sql.ts Sql.version) makes every entry stale, so
// no write path has to remember this cache. Bounded by members held.
import type { ObjectInfo } from "../core/model.js";
import type { Sql } from "../sql.js";

/** Members held across all entries (about 300 bytes each). */
export const LISTING_CACHE_MEMBERS = 20_000;

export class ListingCache {
  private readonly entries = new Map<number, { version: number; objects: ObjectInfo[] }>();
  private held = 0;

  constructor(private readonly maxMembers = LISTING_CACHE_MEMBERS) {}

  /** The listing of collection `id`: from memory if nothing was written since it was read, else from `read`. */
  get(sql: Sql, id: number, read: () => ObjectInfo[]): ObjectInfo[] {
    const hit = this.entries.get(id);
    if (hit && hit.version === sql.version) return hit.objects;
    this.drop(id);
    const version = sql.version;
    const objects = read();
    if (objects.length > this.maxMembers) return objects;
    // Oldest out first until it fits.
    for (const [k] of this.entries) {
      if (this.held + objects.length <= this.maxMembers) break;
      this.drop(k);
    }
    this.entries.set(id, { version, objects });
    this.held += objects.length;
    return objects;
  }

  private drop(id: number): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.held -= e.objects.length;
    this.entries.delete(id);
  }
}
