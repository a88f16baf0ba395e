// The directory Durable Object: the authoritative store of principals,
// their credentials (hashes only) and calendar-user addresses. A single
// instance ("main") holds it all; an address maps to exactly one principal
// (UNIQUE constraint), so signup followed by delivery never races. A login
// the Worker has not verified lately asks it once: the credentials come with
// the login throttle's verdict (src/directory/throttle.ts), counted in the
// same transaction; a verified one is cached per isolate for a bounded time
// (src/core/auth/login-cache.ts), so most requests never come here.
// Web sessions live here too (src/directory/sessions.ts), so signing out
// everywhere, a new password or removing a user ends them at once.
import { DurableObject } from "cloudflare:workers";
import { unknownLoginKey } from "../core/auth/throttle.js";
import { normalizeAddress, normalizePrincipalId, USER_TYPES } from "../core/directory.js";
import { capture, conflict, badRequest, notFound, type Result } from "../core/errors.js";
import type { CalendarUserType, Principal } from "../core/model.js";
import { Sql } from "../sql.js";
import { mirrorPrincipal } from "./cache.js";
import { takeFromBudget } from "../mail/budget.js";
import { countSessions, createSession, endSession, endSessionsOf, readSession, SESSIONS_SCHEMA } from "./sessions.js";
import {
  checkBuckets, pruneBuckets, recordFailure, recordSuccess, THROTTLE_SCHEMA, type BucketRef, type LockedBucket, type LoginTicket,
} from "./throttle.js";

export interface CredentialRecord {
  id: string;
  kind: "password" | "app";
  label: string;
  hash: string;
  created: number;
  /** When a login with it last reached the Directory (approximate: see LAST_USE_EVERY_MS in src/http/login.ts); null: never seen. */
  lastUsed: number | null;
}

/** A principal as the administration sees it: the record and whether it may administer the instance. */
export type Account = Principal & { admin: boolean };

/** What a live web session stands for. */
export interface SessionInfo {
  principal: Principal;
  admin: boolean;
  csrf: string;
}

/** The start of a login: refused outright while a bucket is locked, else the credentials to check and the wait before. */
export type LoginStart =
  | {
      locked: true;
      retryAfterMs: number;
      /** Which buckets are locked, and the principal the login names (null: nobody), so the Worker's cache can refuse it too. */
      locks: LockedBucket[];
      principalId: string | null;
    }
  | {
      locked: false;
      /** null when no principal has this login; the Worker still checks a password (against a dummy hash). */
      principal: Principal | null;
      credentials: CredentialRecord[];
      /** Failures past the free ones (see delayMs in src/core/auth/throttle.ts). */
      excess: number;
      ticket: LoginTicket;
    };

/** How often the throttle table is swept for expired rows. */
const PRUNE_EVERY_MS = 60_000;

export interface PrincipalUpdate {
  id: string;
  displayName?: string | undefined;
  type?: CalendarUserType | undefined;
  /** Replaces the address list when given. */
  addresses?: string[] | undefined;
  /** Whether the principal administers the instance (the web page's administration); unchanged when absent. */
  admin?: boolean | undefined;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS principals (id TEXT PRIMARY KEY, display_name TEXT NOT NULL, type TEXT NOT NULL, created INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS addresses (address TEXT PRIMARY KEY, principal_id TEXT NOT NULL, position INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS addresses_principal ON addresses (principal_id, position);
  CREATE TABLE IF NOT EXISTS credentials (id TEXT PRIMARY KEY, principal_id TEXT NOT NULL, kind TEXT NOT NULL,
    label TEXT NOT NULL, hash TEXT NOT NULL, created INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS credentials_principal ON credentials (principal_id);
  -- secret read-only subscription URLs (src/transfer/subscriptions.ts), looked up by the SHA-256 of the token; the
  -- calendar's id in its home tells a calendar deleted and made again under the same name from the one subscribed to
  CREATE TABLE IF NOT EXISTS subscriptions (token_hash TEXT PRIMARY KEY, token TEXT NOT NULL, principal_id TEXT NOT NULL,
    calendar TEXT NOT NULL, collection_id INTEGER NOT NULL, created INTEGER NOT NULL, UNIQUE (principal_id, calendar));`;

/** Columns added after a Directory may already hold data: table, column, declaration. */
const ADDED_COLUMNS: ReadonlyArray<[string, string, string]> = [
  ["principals", "admin", "INTEGER NOT NULL DEFAULT 0"],
  ["credentials", "last_used", "INTEGER"],
];

function addColumns(sql: Sql): void {
  for (const [table, column, decl] of ADDED_COLUMNS) {
    const has = sql.all<{ name: string }>(`PRAGMA table_info(${table})`).some((c) => c.name === column);
    if (!has) sql.run(`ALTER TABLE ${table} ADD COLUMN ${column} ${decl}`);
  }
}

export class Directory extends DurableObject<Env> {
  private readonly sql: Sql;
  private prunedAt = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = new Sql(ctx.storage.sql);
    ctx.blockConcurrencyWhile(async () => {
      this.sql.run(SCHEMA);
      this.sql.run(THROTTLE_SCHEMA);
      this.sql.run(SESSIONS_SCHEMA);
      addColumns(this.sql);
    });
  }

  getPrincipal(id: string): Principal | null {
    const row = this.sql.one<{ id: string; display_name: string; type: string }>("SELECT * FROM principals WHERE id = ?", id);
    if (!row) return null;
    const addresses = this.sql
      .all<{ address: string }>("SELECT address FROM addresses WHERE principal_id = ? ORDER BY position", id)
      .map((r) => r.address);
    return { id: row.id, displayName: row.display_name, type: row.type as CalendarUserType, addresses };
  }

  listPrincipals(): Principal[] {
    return this.sql.all<{ id: string }>("SELECT id FROM principals ORDER BY id").map((r) => this.getPrincipal(r.id)!);
  }

  /** Every principal with its admin flag, for the administration page. */
  listAccounts(): Account[] {
    return this.sql
      .all<{ id: string; admin: number }>("SELECT id, admin FROM principals ORDER BY id")
      .map((r) => ({ ...this.getPrincipal(r.id)!, admin: r.admin === 1 }));
  }

  /** One account, as listAccounts() lists it, or null. */
  account(id: string): Account | null {
    const p = this.getPrincipal(id);
    return p ? { ...p, admin: this.isAdmin(id) } : null;
  }

  isAdmin(id: string): boolean {
    return this.sql.one<{ admin: number }>("SELECT admin FROM principals WHERE id = ?", id)?.admin === 1;
  }

  /** Which of these calendar-user addresses a principal holds (normalized address → principal id), in one call. */
  holders(addresses: string[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const raw of addresses.slice(0, 10_000)) {
      const a = normalizeAddress(raw);
      const row = a && this.sql.one<{ principal_id: string }>("SELECT principal_id FROM addresses WHERE address = ?", a);
      if (row) out[a!] = row.principal_id;
    }
    return out;
  }

  /**
   * The principals holding these addresses and having these ids, in one call (the Queue consumer asks once per
   * batch): keyed by the address as given and by id, null where there is none. At most 1,000 of each.
   */
  principalsFor(addresses: string[], ids: string[]): { byAddress: Record<string, Principal | null>; byId: Record<string, Principal | null> } {
    const byAddress: Record<string, Principal | null> = {};
    const byId: Record<string, Principal | null> = {};
    for (const address of addresses.slice(0, 1000)) byAddress[address] = this.principalByAddress(address);
    for (const id of ids.slice(0, 1000)) byId[id] = this.getPrincipal(id);
    return { byAddress, byId };
  }

  principalByAddress(address: string): Principal | null {
    const a = normalizeAddress(address);
    const row = a && this.sql.one<{ principal_id: string }>("SELECT principal_id FROM addresses WHERE address = ?", a);
    return row ? this.getPrincipal(row.principal_id) : null;
  }

  /** The principal a login names (its id, or one of its email addresses) and its credential hashes. */
  private credentialsFor(login: string): { principal: Principal; credentials: CredentialRecord[] } | null {
    const id = normalizePrincipalId(login);
    const principal = (id && this.getPrincipal(id)) || this.principalByAddress(login);
    if (!principal) return null;
    const credentials = this.sql
      .all<{ id: string; kind: string; label: string; hash: string; created: number; last_used: number | null }>(
        "SELECT id, kind, label, hash, created, last_used FROM credentials WHERE principal_id = ? ORDER BY kind DESC, created",
        principal.id,
      )
      .map(credentialOf);
    return { principal, credentials };
  }

  /**
   * A login attempt (RFC 7617 Basic, or the web sign-in): the throttle's
   * verdict for the account and the client address, and the credentials,
   * in one transaction. An unknown login is throttled under its own name
   * exactly like a known one, so the answers do not tell them apart.
   */
  beginLogin(login: string, clientAddress: string | null): LoginStart {
    const now = Date.now();
    return this.ctx.storage.transactionSync(() => {
      if (now - this.prunedAt > PRUNE_EVERY_MS) {
        this.prunedAt = now;
        pruneBuckets(this.sql, now);
      }
      const record = this.credentialsFor(login);
      const buckets: BucketRef[] = [{ kind: "account", key: record ? `principal:${record.principal.id}` : `login:${unknownLoginKey(login)}` }];
      if (clientAddress) buckets.push({ kind: "address", key: clientAddress.slice(0, 64) });
      const check = checkBuckets(this.sql, buckets, now);
      if (check.locked) return { ...check, principalId: record?.principal.id ?? null };
      return { locked: false, principal: record?.principal ?? null, credentials: record?.credentials ?? [], excess: check.excess, ticket: check.ticket };
    });
  }

  /** The attempt's password was wrong (or the login unknown). */
  loginFailed(ticket: LoginTicket): void {
    this.ctx.storage.transactionSync(() => recordFailure(this.sql, ticket, Date.now()));
  }

  /**
   * The attempt succeeded after failures (the account's count is cleared), or
   * with a credential whose last use is stale (`credentialId`: noted as used now).
   */
  loginSucceeded(ticket: LoginTicket, credentialId?: string): void {
    this.ctx.storage.transactionSync(() => {
      recordSuccess(this.sql, ticket);
      if (credentialId) this.sql.run("UPDATE credentials SET last_used = ? WHERE id = ?", Date.now(), credentialId);
    });
  }

  upsertPrincipal(u: PrincipalUpdate): Result<Principal> {
    const result = capture(() =>
      this.ctx.storage.transactionSync(() => {
        const id = normalizePrincipalId(u.id);
        if (!id) throw badRequest(`invalid principal name ${JSON.stringify(u.id)}: use a-z, 0-9 and . _ @ + -`);
        if (u.type && !USER_TYPES.includes(u.type)) throw badRequest(`invalid calendar user type ${u.type}`);
        const existing = this.getPrincipal(id);
        const displayName = u.displayName ?? existing?.displayName ?? id;
        const type = u.type ?? existing?.type ?? "INDIVIDUAL";
        this.sql.run(
          `INSERT INTO principals (id, display_name, type, created) VALUES (?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name, type = excluded.type`,
          id, displayName, type, Date.now(),
        );
        if (u.admin !== undefined) this.sql.run("UPDATE principals SET admin = ? WHERE id = ?", u.admin ? 1 : 0, id);
        if (u.addresses) {
          const addresses = u.addresses.map((a) => {
            const n = normalizeAddress(a);
            if (!n) throw badRequest(`invalid calendar-user address ${JSON.stringify(a)}`);
            return n;
          });
          this.sql.run("DELETE FROM addresses WHERE principal_id = ?", id);
          addresses.forEach((a, position) => {
            const owner = this.sql.one<{ principal_id: string }>("SELECT principal_id FROM addresses WHERE address = ?", a);
            if (owner) throw conflict(`${a} already belongs to ${owner.principal_id}`);
            this.sql.run("INSERT INTO addresses (address, principal_id, position) VALUES (?, ?, ?)", a, id, position);
          });
        }
        return this.getPrincipal(id)!;
      }),
    );
    if (result.ok) this.ctx.waitUntil(mirrorPrincipal(this.env.DIRECTORY_CACHE, result.value.id, result.value));
    return result;
  }

  removePrincipal(id: string): boolean {
    const removed = this.ctx.storage.transactionSync(() => {
      const n = this.sql.run("DELETE FROM principals WHERE id = ?", id);
      this.sql.run("DELETE FROM addresses WHERE principal_id = ?", id);
      this.sql.run("DELETE FROM credentials WHERE principal_id = ?", id);
      this.sql.run("DELETE FROM subscriptions WHERE principal_id = ?", id);
      endSessionsOf(this.sql, id);
      return n > 0;
    });
    if (removed) this.ctx.waitUntil(mirrorPrincipal(this.env.DIRECTORY_CACHE, id, null));
    return removed;
  }

  /** Replaces the principal's login password (there is at most one) and ends its web sessions. */
  setPassword(id: string, hash: string): Result<void> {
    return capture(() =>
      this.ctx.storage.transactionSync(() => {
        if (!this.getPrincipal(id)) throw notFound(`no principal ${id}`);
        this.sql.run("DELETE FROM credentials WHERE principal_id = ? AND kind = 'password'", id);
        this.sql.run(
          "INSERT INTO credentials (id, principal_id, kind, label, hash, created) VALUES (?, ?, 'password', 'password', ?, ?)",
          crypto.randomUUID(), id, hash, Date.now(),
        );
        endSessionsOf(this.sql, id);
      }),
    );
  }

  addAppPassword(id: string, label: string, hash: string): Result<string> {
    return capture(() =>
      this.ctx.storage.transactionSync(() => {
        if (!this.getPrincipal(id)) throw notFound(`no principal ${id}`);
        const credId = crypto.randomUUID();
        this.sql.run(
          "INSERT INTO credentials (id, principal_id, kind, label, hash, created) VALUES (?, ?, 'app', ?, ?, ?)",
          credId, id, label, hash, Date.now(),
        );
        return credId;
      }),
    );
  }

  listCredentials(id: string): Array<Omit<CredentialRecord, "hash">> {
    return this.sql
      .all<{ id: string; kind: string; label: string; created: number; last_used: number | null }>(
        "SELECT id, kind, label, created, last_used FROM credentials WHERE principal_id = ? ORDER BY created", id,
      )
      .map(({ last_used, ...r }) => ({ ...r, kind: r.kind as CredentialRecord["kind"], lastUsed: last_used }));
  }

  /** Revokes an app password; the account password is not one (it is changed, never removed, by saveAccount). */
  removeAppPassword(id: string, credentialId: string): boolean {
    return this.sql.run("DELETE FROM credentials WHERE principal_id = ? AND id = ? AND kind = 'app'", id, credentialId) > 0;
  }

  /** Every subscription token of a principal, by calendar name, with the calendar id it was made for: one call. */
  subscriptions(principalId: string): Record<string, { token: string; collectionId: number }> {
    const out: Record<string, { token: string; collectionId: number }> = {};
    for (const r of this.sql.all<{ calendar: string; token: string; collection_id: number }>(
      "SELECT calendar, token, collection_id FROM subscriptions WHERE principal_id = ?", principalId,
    ))
      out[r.calendar] = { token: r.token, collectionId: r.collection_id };
    return out;
  }

  /** Sets the calendar's subscription token (`tokenHash` is its SHA-256), replacing the old one, which stops working. */
  setSubscription(principalId: string, calendar: string, collectionId: number, token: string, tokenHash: string): void {
    this.ctx.storage.transactionSync(() => {
      this.sql.run("DELETE FROM subscriptions WHERE principal_id = ? AND calendar = ?", principalId, calendar);
      this.sql.run(
        "INSERT INTO subscriptions (token_hash, token, principal_id, calendar, collection_id, created) VALUES (?, ?, ?, ?, ?, ?)",
        tokenHash, token, principalId, calendar, collectionId, Date.now(),
      );
    });
  }

  dropSubscription(principalId: string, calendar: string): boolean {
    return this.sql.run("DELETE FROM subscriptions WHERE principal_id = ? AND calendar = ?", principalId, calendar) > 0;
  }

  /** Whose calendar a token opens: only ever the row it was made for. */
  subscriptionTarget(tokenHash: string): { principalId: string; calendar: string; collectionId: number } | null {
    const row = this.sql.one<{ principal_id: string; calendar: string; collection_id: number }>(
      "SELECT principal_id, calendar, collection_id FROM subscriptions WHERE token_hash = ?", tokenHash,
    );
    return row ? { principalId: row.principal_id, calendar: row.calendar, collectionId: row.collection_id } : null;
  }

  /** One outgoing e-mail against the deployment's hourly cap (src/mail/budget.ts); false when it is reached. */
  takeImipBudget(now: number, cap: number): boolean {
    return this.ctx.storage.transactionSync(() => takeFromBudget(this.sql, now, cap));
  }

  // ---- web sessions (src/directory/sessions.ts) --------------------------------------------------------------

  /** Starts a session for a principal that just signed in; `key` is the SHA-256 of the cookie's secret. */
  startSession(principalId: string, key: string, csrf: string): Result<void> {
    return capture(() =>
      this.ctx.storage.transactionSync(() => {
        if (!this.getPrincipal(principalId)) throw notFound(`no principal ${principalId}`);
        createSession(this.sql, key, principalId, csrf, Date.now());
      }),
    );
  }

  /** The principal, admin flag and CSRF token of a live session, or null (unknown, expired, or its principal gone). */
  session(key: string): SessionInfo | null {
    return this.ctx.storage.transactionSync(() => {
      const row = readSession(this.sql, key, Date.now());
      const principal = row && this.getPrincipal(row.principalId);
      if (!row || !principal) return null;
      return { principal, admin: this.isAdmin(principal.id), csrf: row.csrf };
    });
  }

  endSession(key: string): void {
    endSession(this.sql, key);
  }

  /** Signs a principal out everywhere; the number of sessions ended. */
  endAllSessions(principalId: string): number {
    return endSessionsOf(this.sql, principalId);
  }

  liveSessions(principalId: string): number {
    return countSessions(this.sql, principalId, Date.now());
  }
}

function credentialOf(r: { id: string; kind: string; label: string; hash: string; created: number; last_used: number | null }): CredentialRecord {
  return { id: r.id, kind: r.kind as CredentialRecord["kind"], label: r.label, hash: r.hash, created: r.created, lastUsed: r.last_used };
}
