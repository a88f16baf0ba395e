// Logins that verified, remembered per isolate for a short, stated lifetime,
// so a request authenticates (RFC 7617 Basic) without a call to the global
// Directory object; README "Logins" states the bounds. No I/O here: the
// Worker (src/http/login.ts) asks the Directory on a miss and tells the
// cache what it learned.
//
// What is kept, and why it is safe:
// - Only successes. A wrong password, an unknown name or a locked account
//   never hits, so every failure reaches the Directory's throttle.
// - Keyed by a salted SHA-256 of login and password (the salt is random per
//   isolate): no plain password is held, and a hit proves the caller sent
//   exactly what verified.
// - An entry lives `ttlMs` (at most MAX_TTL_MS) from the moment the
//   Directory was asked, not from when it answered or was last used: a hit
//   never extends it. So a change another isolate makes (removal, new
//   password, revoked app password, new addresses) is seen here at most
//   `ttlMs` after it was committed.
// - `forgetPrincipal` (the admin API in this isolate, or a failed login for
//   the account) drops the principal's entries at once, and no answer the
//   Directory gave before it may be remembered after it (a generation
//   counter), so a login in flight across a change cannot put stale
//   credentials back.
// - Locks: a failure or a 429 for an account drops its entries, so its next
//   login goes to the Directory, which refuses it while locked and clears
//   the count after; a 429 for a client address is noted, and a hit from
//   that address answers 429 until the lock ends. An isolate that has seen
//   neither lets the right password through until its entry expires
//   (README "Logins").
// - Bounded: at most LIMITS.entries entries and LIMITS.bytes (estimated),
//   oldest out first; locks noted at most LIMITS.locks.
import type { Principal } from "../model.js";
import type { BucketKind } from "./throttle.js";
import { base64, sha256 } from "../octets.js";

const UTF8 = new TextEncoder();

/** The longest an entry may live, whatever the configuration says: the README's bound for a change to reach every isolate. */
export const MAX_TTL_MS = 60_000;
/** The lifetime used when none is configured (LOGIN_CACHE_TTL_MS). */
export const DEFAULT_TTL_MS = 30_000;

export const LIMITS = {
  entries: 1_000,
  /** Estimated memory of all entries (UTF-16 strings counted twice their length). */
  bytes: 2 * 1024 * 1024,
  /** A principal record larger than this is not cached (it has a great many addresses). */
  entryBytes: 64 * 1024,
  locks: 1_000,
} as const;

export type CacheLimits = { [K in keyof typeof LIMITS]: number };

/** What the cache knows of a login: its principal, a lock in force, or nothing (ask the Directory). */
export type Lookup = { kind: "hit"; principal: Principal } | { kind: "locked"; retryAfterMs: number } | { kind: "miss" };

/** When the Directory was asked, and the cache's generation then. */
export interface Ticket {
  at: number;
  generation: number;
}

/** A lock the Directory reported, by the kind of bucket that holds it. */
export interface ReportedLock {
  kind: BucketKind;
  retryAfterMs: number;
}

interface Entry {
  principal: Principal;
  expires: number;
  bytes: number;
}

/** Fixed cost of an entry beside its strings (Map slot, object headers). */
const ENTRY_OVERHEAD = 200;

const clone = (p: Principal): Principal => ({ ...p, addresses: [...p.addresses] });

export class LoginCache {
  private readonly entries = new Map<string, Entry>();
  private readonly byPrincipal = new Map<string, Set<string>>();
  /** Client address → when its lock ends. */
  private readonly locks = new Map<string, number>();
  /** Made on first use: Workers refuse random values at global scope, where the isolate's cache is built. */
  private salt: Uint8Array | null = null;
  private generation = 0;
  private used = 0;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly limits: CacheLimits = LIMITS,
  ) {}

  /** The key of a login and password: a salted digest, never the password. */
  async keyOf(login: string, password: string): Promise<string> {
    const salt = (this.salt ??= crypto.getRandomValues(new Uint8Array(16)));
    const text = UTF8.encode(`${login}\u0000${password}`);
    const data = new Uint8Array(salt.length + text.length);
    data.set(salt);
    data.set(text, salt.length);
    return base64(await sha256(data));
  }

  lookup(key: string, clientAddress: string | null): Lookup {
    const e = this.entries.get(key);
    if (!e) return { kind: "miss" };
    const now = this.now();
    if (e.expires <= now) {
      this.drop(key);
      return { kind: "miss" };
    }
    const until = clientAddress === null ? 0 : this.lockedUntil(clientAddress, now);
    if (until > now) return { kind: "locked", retryAfterMs: until - now };
    return { kind: "hit", principal: clone(e.principal) };
  }

  /** Taken before asking the Directory: the entry's lifetime starts here. */
  begin(): Ticket {
    return { at: this.now(), generation: this.generation };
  }

  /** Remembers a verified login, unless something was forgotten since the ticket (its answer may be stale) or it does not fit. */
  remember(key: string, principal: Principal, ticket: Ticket, ttlMs: number): boolean {
    const ttl = Math.min(ttlMs, MAX_TTL_MS);
    if (!(ttl > 0) || ticket.generation !== this.generation) return false;
    const bytes = ENTRY_OVERHEAD + 2 * (key.length + JSON.stringify(principal).length);
    if (bytes > this.limits.entryBytes) return false;
    this.drop(key);
    const now = this.now();
    // Oldest first: expired entries, then whatever the bounds need.
    for (const [k, e] of this.entries) {
      if (e.expires > now && this.entries.size < this.limits.entries && this.used + bytes <= this.limits.bytes) break;
      this.drop(k);
    }
    this.entries.set(key, { principal: clone(principal), expires: ticket.at + ttl, bytes });
    this.used += bytes;
    let keys = this.byPrincipal.get(principal.id);
    if (!keys) this.byPrincipal.set(principal.id, (keys = new Set()));
    keys.add(key);
    return true;
  }

  /** Drops every entry of a principal at once, and any answer about it still in flight. */
  forgetPrincipal(id: string): void {
    this.generation++;
    for (const key of this.byPrincipal.get(id) ?? []) this.drop(key);
  }

  /**
   * The Directory answered 429. An account lock drops the account's entries (its logins go to the Directory,
   * which refuses them); an address lock is noted, so cached logins from that address answer 429 until it ends.
   */
  noteLocks(locks: readonly ReportedLock[], principalId: string | null, clientAddress: string | null): void {
    const now = this.now();
    for (const lock of locks) {
      if (lock.kind === "account" && principalId !== null) this.forgetPrincipal(principalId);
      if (lock.kind !== "address" || clientAddress === null) continue;
      this.locks.delete(clientAddress);
      for (const [k, until] of this.locks) {
        if (until > now && this.locks.size < this.limits.locks) break;
        this.locks.delete(k);
      }
      this.locks.set(clientAddress, now + lock.retryAfterMs);
    }
  }

  /** Everything, at once (tests, or a change whose principal is not known). */
  clear(): void {
    this.generation++;
    this.entries.clear();
    this.byPrincipal.clear();
    this.locks.clear();
    this.used = 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Estimated bytes held by entries. */
  get bytes(): number {
    return this.used;
  }

  get lockCount(): number {
    return this.locks.size;
  }

  private lockedUntil(address: string, now: number): number {
    const until = this.locks.get(address);
    if (until === undefined) return 0;
    if (until <= now) this.locks.delete(address);
    return until;
  }

  private drop(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.used -= e.bytes;
    const keys = this.byPrincipal.get(e.principal.id);
    keys?.delete(key);
    if (keys?.size === 0) this.byPrincipal.delete(e.principal.id);
  }
}
