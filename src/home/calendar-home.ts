// The calendar-home Durable Object: one per principal. It is a thin
// transactional store: every check-and-write runs in one synchronous
// transactionSync (no await between reading state and writing it), and R2
// bodies are written before the commit under fresh immutable keys, tracked
// so that no row ever points at a missing body and no body is leaked.
import { DurableObject } from "cloudflare:workers";
import { capture, DavError, forbidden, precondition, toShape, type Result } from "../core/errors.js";
import { unpackJobs, type ItipJob, type PackedJobs } from "../core/itip-job.js";
import { caldav } from "../core/xml/names.js";
import { SCHEDULE_STATUS } from "../core/schedule/status.js";
import { textOf } from "../core/xml/tree.js";
import type { CollectionInfo, CollectionKind, HomeInfo, ObjectInfo, ObjectWrite, Principal, PropMap, ShareeRef } from "../core/model.js";
import { homeBusy, type BusyPeriod } from "./busy.js";
import { defaultCalendarFor, Deliveries, findByUid } from "./deliver.js";
import { inRow, moveBodiesIn, rowBody } from "./bodies.js";
import { commitStaged, OutboxSender, planStaging, stageBodies, type Staged } from "./outbox.js";
import { nextRefresh, runRefreshes } from "./refresh.js";
import { applyPropChanges, checkNewProps, type PropChange, type PropsRefused, type PropTarget } from "./props.js";
import { changesSince, type ChangeSet } from "./changes.js";
import { copyMove, type CopyMoveRequest, type CopyMoveResult } from "./copy-move.js";
import { collectGarbage } from "./gc.js";
import type { BodySelection, Candidate, CandidateQuery } from "./query.js";
import { allObjects, homeSnapshot, objectCounts, oneObject, queryCandidates, someObjects, type HomeSnapshot } from "./reads.js";
import { INBOX, insertCollection, OUTBOX, provision } from "./provision.js";
import { collectionRow, meta, toCollection, toObject, type ObjectRow } from "./rows.js";
import { migrate } from "./schema.js";
import { view, type View, type ViewOp, type ViewResult } from "./view.js";
import { homeCandidates, pendingCopies, type HomeCandidates, type PendingCopy } from "./agenda.js";
import { ListingCache } from "./listing-cache.js";
import { Sql, Unchanged } from "../sql.js";
import { NOTIFICATIONS, SHARING_LIMITS, type Invite, type MountInfo, type NotificationInfo, type ShareAccess } from "../core/sharing/model.js";
import {
  addMount, answerInvite, applyShares, deleteNotification, dropMount, forgetInSharing, listNotifications, mountNamed, notificationNamed, notificationsOfType, putNotification,
  requireShare, sharingTies, type ShareOp,
} from "./sharing.js";
import { limitsOf } from "../core/resource-limits.js";
import { checkedJobs, hostOwners, mayHost } from "./hosted.js";
import { parseSnapshot, roleOf } from "../core/schedule/snapshot.js";
import { hrefs } from "../core/paths.js";
import { delegationTies, forgetInDelegation, requireProxy, seenByDelegate, setGroup, setPointer } from "./delegation.js";
import type { Delegation, ProxyKind } from "../core/delegation/model.js";
import { beginImport, CursorMoved, importKeys, importStatus, runImportBatch, type ImportStart, type ImportStatus } from "./imports.js";
import { imipConfig } from "../mail/config.js";
import { sendImip, type SendOutcome } from "../mail/outbound.js";
import { directoryStub } from "../bindings.js";
import { addUsed, changedUnderfoot, checkPut, commitPut, deleteCollection, deleteObject, type DeleteRequest } from "./writes.js";
import { DIRECTIONS } from "../core/imip/trust.js";

export type { PropChange, PropsRefused, PropTarget } from "./props.js";

const RESERVED = new Set([INBOX, OUTBOX, NOTIFICATIONS]);

/** How soon the alarm retries handing the outbox to the Queue. */
const OUTBOX_RETRY_MS = 5_000;
/** Statements that leave work for after the commit (afterCommit): messages to send, bodies to collect, refreshes. */
const PENDING_WORK = /\b(INTO|UPDATE)\s+(outbox|garbage|itip_bodies|refresh_pending)\b/i;
/** Pause between two batches of bodies moved from R2 into their rows (bodies.ts). */
const BODY_MOVE_DELAY_MS = 1_000;

export class CalendarHome extends DurableObject<Env> {
  private readonly sql: Sql;
  private readonly deliveries: Deliveries;
  /** Listings of collections nothing was written to since they were read (listing-cache.ts). */
  private readonly listings = new ListingCache();
  /** An import batch is running (imports.ts). */
  private importing = false;
  /** The one sender of this instance's outbox (outbox.ts): concurrent commits share a send, never repeat it. */
  private readonly outbox: OutboxSender;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = new Sql(ctx.storage.sql, PENDING_WORK);
    this.outbox = new OutboxSender(this.sql, () => this.env.ITIP_QUEUE);
    this.snapshotNow = new Unchanged(this.sql, () => homeSnapshot(this.sql, this.epoch));
    ctx.blockConcurrencyWhile(async () => {
      this.ready();
      // A home from before schema v6 moves its bodies into their rows in the background (bodies.ts).
      if (this.sql.one("SELECT 1 AS x FROM objects WHERE body IS NULL AND body_key != '' LIMIT 1")) await this.scheduleAlarm(Date.now() + BODY_MOVE_DELAY_MS);
    });
    const self = this;
    this.deliveries = new Deliveries({
      sql: this.sql,
      bodies: env.BODIES,
      get epoch() {
        return self.epoch;
      },
      get owner() {
        return self.owner;
      },
      get quota() {
        return self.quota;
      },
      transact: (fn) => ctx.storage.transactionSync(fn),
      afterCommit: () => this.afterCommit(),
    });
  }

  private ready(): void {
    this.ctx.storage.transactionSync(() => {
      migrate(this.sql);
      provision(this.sql, Date.now());
    });
  }

  private get owner(): string {
    const name = this.ctx.id.name;
    if (!name) throw new Error("calendar homes are addressed by principal name");
    return name;
  }

  /** The epoch and the snapshot (its collections and properties) as read, while nothing was written (sql.ts Unchanged). */
  /** The home's epoch (provision.ts): written once when the home is made, again only after destroy(), which forgets it. */
  private epochKnown: string | null = null;
  private readonly snapshotNow: Unchanged<HomeSnapshot>;

  private get epoch(): string {
    return (this.epochKnown ??= meta(this.sql, "epoch")!);
  }

  private get quota(): number {
    return Number(this.env.QUOTA_BYTES ?? 1 << 30);
  }

  snapshot(): HomeSnapshot {
    return this.snapshotNow.get();
  }

  /**
   * The snapshot with each collection's number of objects, the calendars shared with it and up to `invitations`
   * sharing invitations waiting (with their bodies), in one round trip (the web page's list of calendars).
   */
  overview(invitations = 0): { home: HomeInfo; collections: CollectionInfo[]; counts: Record<string, number>; mounts: MountInfo[]; invitations: NotificationInfo[] } {
    const { home, collections, mounts } = this.snapshotNow.get();
    const waiting = invitations > 0 ? notificationsOfType(this.sql, "invite-notification", Math.min(invitations, SHARING_LIMITS.notifications)) : [];
    return { home, collections, counts: objectCounts(this.sql), mounts, invitations: waiting };
  }

  /**
   * A collection's snapshot and what a request reads of its members, in one round trip (view.ts), with the home's
   * stamp; or, when `known` is the stamp now (nothing may have been written since it was given out), only that the
   * answer made from it still holds (dav/answer-cache.ts).
   */
  view(name: string, op: ViewOp, known?: string): Result<(View & { stamp: string }) | { stillValid: true }> {
    const stamp = this.stamp;
    if (known !== undefined && known === stamp) return { ok: true, value: { stillValid: true } };
    return capture(() => ({ ...view(this.sql, this.epoch, this.snapshotNow.get(), name, op, this.listings), stamp }));
  }

  /** Made when this instance started; with the SQL write counter, names the state of the home (sql.ts Sql.version). */
  private readonly instance = crypto.randomUUID();

  /** Changes whenever anything may have been written to the home, and differs across restarts of the object. */
  private get stamp(): string {
    return `${this.instance}.${this.sql.version}`;
  }

  collection(name: string): CollectionInfo | null {
    const r = collectionRow(this.sql, name);
    return r ? toCollection(this.sql, this.epoch, r) : null;
  }

  /**
   * `asSharee`: read for a sharee of the owner's calendar `collection`; null unless it accepted an invitation to it.
   * `asDelegate`: read for a delegate of this home's principal; null unless it is one and `collection` a calendar.
   */
  object(collection: string, name: string, asSharee?: string, asDelegate?: string): { collection: CollectionInfo; object: ObjectInfo; snapshot: string | null } | null {
    if (asSharee !== undefined && !capture(() => requireShare(this.sql, collection, asSharee, false, "")).ok) return null;
    if (asDelegate === undefined) return oneObject(this.sql, this.epoch, collection, name);
    const access = capture(() => requireProxy(this.sql, asDelegate, false, ""));
    return access.ok ? this.seenObject(collection, name, access.value) : null;
  }

  /**
   * An object of a calendar as a delegate with `access` sees it (null: none of that name, or not in a calendar).
   * A field, not a method: it checks nothing, so it is never an RPC entry point of its own.
   */
  private readonly seenObject = (collection: string, name: string, access: ProxyKind): { collection: CollectionInfo; object: ObjectInfo; snapshot: string | null } | null => {
    const found = oneObject(this.sql, this.epoch, collection, name);
    const seen = found && seenByDelegate(found.collection, access);
    return found && seen ? { ...found, collection: seen } : null;
  };

  // ---- Delegation (calendar-proxy, home/delegation.ts): as the delegator's home ----

  /** The principal's proxy groups and whom it is a delegate of. */
  delegation(): Delegation {
    return this.snapshotNow.get().delegation;
  }

  /** Replaces the members of a proxy group; returns who joined and who left (to be told through their pointers). */
  setProxyGroup(kind: ProxyKind, members: string[]): Result<{ added: string[]; removed: string[] }> {
    return capture(() => this.ctx.storage.transactionSync(() => setGroup(this.sql, this.owner, kind, members, Date.now())));
  }

  /**
   * The home as `delegate` may see it, decided now: its calendars (not the inbox, outbox, notifications or calendars
   * shared with the principal) and the delegate's access; 404 unless it is a delegate.
   */
  delegateSnapshot(delegate: string): Result<{ home: HomeInfo; collections: CollectionInfo[]; access: ProxyKind }> {
    return capture(() => {
      const access = requireProxy(this.sql, delegate, false, "");
      const { home, collections } = this.snapshotNow.get();
      return { home, collections: collections.map((c) => seenByDelegate(c, access)).filter((c) => c !== null), access };
    });
  }

  /** view() for a delegate (404 unless it is one; a collection other than a calendar is none), with its access. */
  delegateView(name: string, op: ViewOp, delegate: string): Result<View & { access: ProxyKind }> {
    return capture(() => {
      const access = requireProxy(this.sql, delegate, false, "");
      const v = view(this.sql, this.epoch, this.snapshotNow.get(), name, op, this.listings);
      const collection = seenByDelegate(v.collection, access);
      const collections = v.collections.map((c) => seenByDelegate(c, access)).filter((c) => c !== null);
      // Changes name their collection: as the delegate sees it.
      const result: ViewResult = !collection ? { kind: "none" } : v.result.kind === "changes" ? { ...v.result, changes: { ...v.result.changes, collection } } : v.result;
      return { home: v.home, collections, principalProps: {}, mounts: [], collection, result, access };
    });
  }

  /** One object of a calendar for a delegate (null: none of that name, or not in a calendar; 404 unless a delegate). */
  delegateObject(collection: string, name: string, delegate: string): Result<{ collection: CollectionInfo; object: ObjectInfo; access: ProxyKind } | null> {
    return capture(() => {
      const access = requireProxy(this.sql, delegate, false, "");
      const found = this.seenObject(collection, name, access);
      return found ? { collection: found.collection, object: found.object, access } : null;
    });
  }

  /**
   * What a delegate's PUT replaces, read for planning after checking it may write (403 need-privileges for a read
   * delegate, and for anyone else as before: bind on the calendar); null when absent. The write checks again.
   */
  delegateStored(collection: string, name: string, who: ShareeRef): Result<{ collection: CollectionInfo; object: ObjectInfo; snapshot: string | null } | null> {
    return capture(() => {
      const access = requireProxy(this.sql, who.id, true, who.href, { href: hrefs.collection(this.owner, collection) });
      return this.seenObject(collection, name, access);
    });
  }

  // ---- Delegation: as a delegate's home ----

  /** Notes (or forgets) that this home's principal is a `kind` delegate of `delegator` (calendar-proxy-*-for). */
  proxyPointer(delegator: string, kind: ProxyKind, member: boolean): void {
    this.ctx.storage.transactionSync(() => setPointer(this.sql, delegator, kind, member, Date.now()));
  }

  // ---- Sharing (calendarserver-sharing, home/sharing.ts): as the owner's home ----

  /** Sets or removes invitations to a calendar; returns what the sharees are to be told. */
  share(calendar: string, ops: ShareOp[]): Result<{ components: string[]; displayName: string; set: Invite[]; removed: Invite[] }> {
    return capture(() =>
      this.ctx.storage.transactionSync(() => {
        const { col, set, removed } = applyShares(this.sql, calendar, ops, Date.now());
        const info = toCollection(this.sql, this.epoch, col);
        const name = info.props["{DAV:}displayname"];
        return { components: info.components, displayName: name ? textOf(name).trim() : calendar, set, removed };
      }),
    );
  }

  /** A sharee's answer to an invitation (CS:invite-reply). */
  answerShare(calendar: string, sharee: string, uid: string, accept: boolean): Result<Invite> {
    return capture(() => this.ctx.storage.transactionSync(() => answerInvite(this.sql, calendar, sharee, uid, accept).invite));
  }

  /** view() of a calendar for a sharee that accepted an invitation to it (else 404), with its access. */
  sharedView(calendar: string, sharee: string, op: ViewOp): Result<View & { access: ShareAccess }> {
    return capture(() => {
      const { access } = requireShare(this.sql, calendar, sharee, false, "");
      return { ...view(this.sql, this.epoch, this.snapshotNow.get(), calendar, op, this.listings), access };
    });
  }

  /** One object of a calendar shared with `sharee` (null: none of that name; 404 unless shared with it). */
  sharedObject(calendar: string, name: string, sharee: string): Result<{ collection: CollectionInfo; object: ObjectInfo; access: ShareAccess } | null> {
    return capture(() => {
      const { access } = requireShare(this.sql, calendar, sharee, false, "");
      const found = oneObject(this.sql, this.epoch, calendar, name);
      return found ? { collection: found.collection, object: found.object, access } : null;
    });
  }

  // ---- Sharing: as a sharee's home ----

  /** An object of this home's collection, or where a shared calendar of that name lives (one round trip either way). */
  objectOrMount(collection: string, name: string): { object: ObjectInfo; collection: CollectionInfo; snapshot: string | null } | { mount: { owner: string; calendar: string } } | null {
    const found = oneObject(this.sql, this.epoch, collection, name);
    if (found) return found;
    const m = collectionRow(this.sql, collection) ? undefined : mountNamed(this.sql, collection);
    return m ? { mount: { owner: m.owner, calendar: m.calendar } } : null;
  }

  notify(n: { uid: string; type: string; body: string }): void {
    this.ctx.storage.transactionSync(() => putNotification(this.sql, n, Date.now()));
  }

  /** Shows an accepted calendar in this home; returns its name here. */
  mountShare(owner: string, calendar: string, uid: string): string {
    return this.ctx.storage.transactionSync(() => addMount(this.sql, owner, calendar, uid, Date.now()));
  }

  /** The owner withdrew the invitation, or this home's principal left the calendar or declined. */
  unmountShare(owner: string, calendar: string, uid: string): void {
    this.ctx.storage.transactionSync(() => dropMount(this.sql, owner, calendar, uid));
  }

  notifications(): NotificationInfo[] {
    return listNotifications(this.sql);
  }

  notification(name: string): NotificationInfo | null {
    return notificationNamed(this.sql, name);
  }

  deleteNotification(name: string): boolean {
    return deleteNotification(this.sql, name);
  }

  /** Several objects of one collection at once (calendar-multiget), with their bodies when asked; missing names are left out. */
  objects(collection: string, names: string[], withBodies = false): { collection: CollectionInfo; objects: ObjectInfo[] } | null {
    return someObjects(this.sql, this.epoch, collection, names, withBodies);
  }

  listObjects(collection: string): { collection: CollectionInfo; objects: ObjectInfo[] } | null {
    return allObjects(this.sql, this.epoch, collection, this.listings);
  }

  /** Index candidates for calendar-query and free-busy (RFC 4791 sections 7.8, 7.10), with the bodies `bodies` selects. */
  query(collection: string, q: CandidateQuery, bodies: BodySelection = false): { collection: CollectionInfo; candidates: Candidate[] } | null {
    return queryCandidates(this.sql, this.epoch, collection, q, bodies);
  }

  /** The web agenda's one round trip: every calendar's candidates for a range, with bodies, and the principal's properties (agenda.ts). */
  agenda(q: CandidateQuery): HomeCandidates {
    return homeCandidates(this.sql, this.epoch, q);
  }

  /** Scheduling copies waiting for the answer of the person with `addresses`, not ended before `after` (agenda.ts). */
  invitations(addresses: string[], after: number, limit: number): PendingCopy[] {
    return pendingCopies(this.sql, addresses, after, limit);
  }

  /** sync-collection (RFC 6578): changes since `token` ("" for all members), at most `limit`, with bodies when asked. */
  changes(collection: string, token: string, limit: number, withBodies = false): Result<ChangeSet> {
    return capture(() => {
      const c = collectionRow(this.sql, collection);
      if (!c) throw new DavError(404, { description: "no such collection" });
      return changesSince(this.sql, this.epoch, c, token, limit, withBodies);
    });
  }

  createCollection(spec: { name: string; kind: CollectionKind; components: string[]; props: PropMap }): Result<CollectionInfo> {
    return capture(() =>
      this.ctx.storage.transactionSync(() => {
        if (RESERVED.has(spec.name) || collectionRow(this.sql, spec.name) || mountNamed(this.sql, spec.name)) throw new DavError(405, { description: "a resource exists at this URL" });
        checkNewProps(this.sql, spec.props, this.quota);
        insertCollection(this.sql, spec.name, spec.kind, spec.components, spec.props, Date.now());
        return toCollection(this.sql, this.epoch, collectionRow(this.sql, spec.name)!);
      }),
    );
  }

  /**
   * Applies the changes, or returns the properties that do not fit (nothing is written then). `asDelegate`: a write
   * delegate's change to a calendar or an object in one, checked in the same transaction (home/delegation.ts).
   */
  patchProps(target: PropTarget, changes: PropChange[], asDelegate?: ShareeRef): Result<PropsRefused | null> {
    return capture(() =>
      this.ctx.storage.transactionSync(() => {
        if (asDelegate) {
          requireProxy(this.sql, asDelegate.id, true, asDelegate.href);
          const col = "collection" in target ? collectionRow(this.sql, target.collection) : undefined;
          if (!col || col.kind !== "calendar") throw new DavError(404, { description: "no such resource" });
        }
        return applyPropChanges(this.sql, target, changes, Date.now(), this.quota);
      }),
    );
  }

  async putObject(w: ObjectWrite): Promise<Result<{ etag: string; scheduleTag: string | null; created: boolean }>> {
    return this.storeObject(w);
  }

  /**
   * putObject, with `onCommit` run inside the write's own transaction (an import's cursor moves with its object).
   * A field, not a method: internal, never an RPC entry point of its own.
   */
  private readonly storeObject = async (w: ObjectWrite, onCommit?: (created: boolean) => void): Promise<Result<{ etag: string; scheduleTag: string | null; created: boolean }>> => {
    // A message speaks for a sharee only when it is the one checked for this write (hosted.ts).
    const jobs = w.schedule ? checkedJobs(unpackJobs(w.schedule.jobs), w.asSharee) : [];
    // Most bodies live in their row (bodies.ts): then nothing is written outside the one transaction below.
    const inline = inRow(w.size, w.schedule?.snapshot?.length ?? 0);
    const staging = [...planStaging(jobs).values()].reduce((n, size) => n + size, 0);
    let key = "";
    let staged: Staged = { jobs, keys: [], bytes: 0 };
    if (!inline || staging > 0) {
      // Fail fast, before spending an R2 write, on anything already decidable (the quota with the message bodies too).
      // (Without R2 writes nothing is awaited, and the one check in the transaction below is enough.)
      const early = capture(() => checkPut(this.sql, this.owner, w, this.quota, staging));
      if (!early.ok) return early;
      if (!inline) {
        key = `${this.epoch}/${early.value.col.id}/${crypto.randomUUID()}`;
        this.sql.run("INSERT INTO pending_bodies (key, created) VALUES (?, ?)", key, Date.now());
        await this.scheduleAlarm(Date.now() + 3_600_000);
      }
      try {
        [, staged] = await Promise.all([
          inline ? null : this.env.BODIES.put(key, w.body, { httpMetadata: { contentType: "text/calendar; charset=utf-8" } }),
          stageBodies(this.sql, this.env.BODIES, this.epoch, jobs, Date.now()),
        ]);
      } catch (e) {
        return { ok: false, error: toShape(new DavError(503, { description: `body store unavailable: ${(e as Error).message}` })) };
      }
    }
    // Any await above let other requests run: check again, then write, in one transaction.
    const result = capture(() =>
      this.ctx.storage.transactionSync(() => {
        const now = Date.now();
        const plan = checkPut(this.sql, this.owner, w, this.quota, staged.bytes);
        const { created, scheduleTag } = commitPut(this.sql, plan, w, key, now);
        commitStaged(this.sql, staged, now, (delta) => addUsed(this.sql, delta));
        onCommit?.(created);
        return { etag: w.etag, scheduleTag, created };
      }),
    );
    if (!result.ok) await this.dropBodies([...(key ? [key] : []), ...staged.keys.map((k) => k.key)]);
    await this.afterCommit();
    return result;
  };

  /** Records an import job (imports.ts) and starts the alarm that stores its objects. */
  async beginImport(start: ImportStart): Promise<Result<void>> {
    const r = capture(() => this.ctx.storage.transactionSync(() => beginImport(this.sql, start, Date.now())));
    if (r.ok) await this.scheduleAlarm(Date.now());
    return r;
  }

  importStatus(id: string): ImportStatus | null {
    return importStatus(this.sql, id);
  }

  /** One batch of the running import, if any; true when more is left. One batch runs at a time in this instance. */
  private async importBatch(): Promise<boolean> {
    if (this.importing) return true;
    this.importing = true;
    try {
      return await this.runImport();
    } catch (e) {
      if (e instanceof CursorMoved) return true;
      throw e;
    } finally {
      this.importing = false;
    }
  }

  private runImport(): Promise<boolean> {
    return runImportBatch(
      {
        sql: this.sql,
        bodies: this.env.BODIES,
        limits: limitsOf(this.env),
        transact: (fn) => this.ctx.storage.transactionSync(fn),
        put: (w, onCommit) => this.storeObject(w, onCommit),
      },
      Date.now,
    );
  }

  /** DELETE of an object; never refused for quota, though the CANCELs or REPLY it sends are kept like any message. */
  deleteObject(d: DeleteRequest, packed?: PackedJobs): Promise<Result<void>> {
    return this.withMessages(packed, (now) => deleteObject(this.sql, d, now), d.asSharee);
  }

  /**
   * Runs `change` in one transaction with the messages it sends: their bodies staged in R2 first (outbox.ts), and
   * dropped again when the change is refused. `asSharee`: the sharee `change` checks, whom messages may speak for.
   */
  private async withMessages(packed: PackedJobs | undefined, change: (now: number) => void, asSharee?: ShareeRef): Promise<Result<void>> {
    let staged: Staged;
    try {
      staged = await stageBodies(this.sql, this.env.BODIES, this.epoch, packed ? checkedJobs(unpackJobs(packed), asSharee) : [], Date.now());
    } catch (e) {
      return { ok: false, error: toShape(new DavError(503, { description: `body store unavailable: ${(e as Error).message}` })) };
    }
    const r = capture(() =>
      this.ctx.storage.transactionSync(() => {
        const now = Date.now();
        change(now);
        commitStaged(this.sql, staged, now, (delta) => addUsed(this.sql, delta));
      }),
    );
    if (!r.ok) await this.dropBodies(staged.keys.map((k) => k.key));
    await this.afterCommit();
    return r;
  }

  /** The scheduling object resources of a calendar, whose removal sends messages (RFC 6638 §3.2.1.3, §3.2.2.4). */
  schedulingObjects(collection: string): Array<{ object: ObjectInfo; snapshot: string }> {
    const c = collectionRow(this.sql, collection);
    if (!c) return [];
    return this.sql.all<ObjectRow>("SELECT * FROM objects WHERE collection_id = ? AND snapshot IS NOT NULL ORDER BY name", c.id)
      .map((row) => ({ object: toObject(c.name, row), snapshot: row.snapshot! }));
  }

  /**
   * Deletes a calendar with every object in it, committing the messages their removal sends (planned by the
   * caller against `expect`: the name → ETag of each scheduling object; if they changed meanwhile, it plans again).
   */
  deleteCollection(name: string, packed?: PackedJobs, expect: Record<string, string> = {}): Promise<Result<void>> {
    return this.withMessages(packed, (now) => {
      if (RESERVED.has(name)) throw forbidden("the scheduling inbox and outbox cannot be deleted");
      const isDefault = defaultCalendarFor(this.sql, "VEVENT")?.name === name;
      if (isDefault)
        throw precondition(403, caldav("default-calendar-needed"), "this is the default calendar for invitations; choose another with schedule-default-calendar-URL first");
      const current = this.schedulingObjects(name);
      const same = current.length === Object.keys(expect).length && current.every((o) => expect[o.object.name] === o.object.etag);
      if (!same) throw changedUnderfoot();
      deleteCollection(this.sql, name, now);
    });
  }

  /**
   * Delivers one iTIP message to this home (RFC 6638 §4): calendar copy, inbox item, room auto-reply.
   * `me` is this home's principal, `sender` the principal whose home sent the message: what it may change is
   * decided from them and the stored copy (core/schedule/authority.ts), never from the message alone.
   */
  async deliver(job: ItipJob, body: string, me: Principal, sender: Principal): Promise<{ status: string; hosts?: string[] }> {
    // An attendee's answer (REPLY, COUNTER, REFRESH) to a meeting this home's principal organizes in a calendar shared
    // with it: the copy is in the owner's home (hosted.ts); the caller asks the owners named here. (Without a copy
    // here it would be refused anyway.)
    if (DIRECTIONS[job.method] === "to-organizer" && !findByUid(this.sql, job.uid)) {
      const hosts = hostOwners(this.sql);
      if (hosts.length > 0) return { status: SCHEDULE_STATUS.NO_AUTHORITY, hosts };
    }
    return this.deliveries.submit(job.uid, { kind: "deliver", job, body, me, sender });
  }

  /**
   * Merges a REPLY to `sharee`'s meeting into its copy here, in a calendar of this home's principal shared with the
   * sharee (hosted.ts): only while the sharee holds an accepted read-write invitation to that calendar and holds the
   * copy's ORGANIZER, decided in the transaction that merges. A COUNTER or REFRESH is checked the same way and
   * changes nothing (the sharee's inbox keeps it, as for any organizer). Anything else is 3.8 and changes nothing.
   */
  async deliverHosted(job: ItipJob, body: string, sharee: Principal, sender: Principal): Promise<{ status: string }> {
    if (DIRECTIONS[job.method] !== "to-organizer") return { status: SCHEDULE_STATUS.NO_AUTHORITY };
    return this.deliveries.submit(job.uid, { kind: "deliver", job, body, me: sharee, sender, hosted: sharee.id, ownersAnswer: sender.id === this.owner });
  }

  /** Keeps in the inbox an answer taken into a meeting this home's principal organizes in an owner's home (hosted.ts). */
  async keepReply(job: ItipJob, body: string): Promise<void> {
    await this.deliveries.submit(job.uid, { kind: "keep", job, body });
  }

  /** Records SCHEDULE-STATUS values for delivery results on this home's copy of `uid` (RFC 6638 §3.2.9). */
  async recordStatus(uid: string, statuses: Record<string, string>, organizerCopy: boolean): Promise<void> {
    await this.deliveries.submit(uid, { kind: "status", statuses, organizerCopy });
  }

  /**
   * Keeps messages for calendar users outside this server, ready for e-mail delivery (iMIP), in one transaction. A
   * body staged in R2 is referenced, not copied (and is kept as long as a kept message needs it, see gc.ts); the row
   * counts toward the quota (RFC 4331).
   */
  keepForEmail(jobs: ItipJob[]): void {
    // The consumer sends at most one batch's messages (100); more is a caller's bug, refused before anything is kept.
    if (jobs.length > 1000) throw new Error(`keepForEmail: ${jobs.length} messages in one call`);
    this.ctx.storage.transactionSync(() => {
      for (const job of jobs) {
        const payload = JSON.stringify(job);
        const added = this.sql.run(
          "INSERT OR IGNORE INTO email_outbox (id, created, payload, body_key, bytes) VALUES (?, ?, ?, ?, ?)",
          job.id, Date.now(), payload, job.bodyKey ?? null, payload.length,
        );
        if (added > 0) addUsed(this.sql, payload.length);
      }
    });
  }

  /**
   * Mails an iTIP message to an address no principal holds (iMIP, src/mail/outbound.ts), within the caps of
   * src/mail/budget.ts; throws when it cannot be sent, so the Queue retries. `senderName` is this home's principal's
   * display name.
   */
  async sendEmail(job: ItipJob, body: string, senderName: string): Promise<SendOutcome> {
    const config = imipConfig(this.env);
    if (!config) throw new Error("iMIP is not configured (EMAIL binding and IMIP_FROM)");
    return sendImip({
      sql: this.sql, config, transact: (fn) => this.ctx.storage.transactionSync(fn),
      takeBudget: (now) => directoryStub(this.env).takeImipBudget(now, config.limits.perHour),
    }, job, body, senderName, Date.now());
  }

  /** The text of this home's scheduling copy of `uid` (an RSVP page shows it and answers it), or null. */
  async schedulingCopy(uid: string): Promise<string | null> {
    const found = findByUid(this.sql, uid);
    return found ? rowBody(this.env.BODIES, found.row) : null;
  }

  /** The owners whose calendars are mounted here: where a meeting this home's principal organizes may be kept (hosted.ts). */
  hosts(): string[] {
    return hostOwners(this.sql);
  }

  /**
   * schedulingCopy() of a meeting `sharee` organizes in a calendar of this home shared with it (hosted.ts): null
   * unless the sharee holds the copy's ORGANIZER and an accepted read-write invitation to the calendar.
   */
  async hostedCopy(uid: string, sharee: Principal): Promise<string | null> {
    const found = findByUid(this.sql, uid);
    if (!found || !mayHost(this.sql, found.col.id, sharee.id) || roleOf(parseSnapshot(found.row.snapshot), sharee.addresses) !== "organizer") return null;
    return rowBody(this.env.BODIES, found.row);
  }

  /** Marks the RSVP link of message `id` used (src/mail/rsvp.ts); false when it was already, or `peek` and it is. */
  useRsvp(id: string, peek = false): boolean {
    return this.ctx.storage.transactionSync(() => {
      if (this.sql.one("SELECT 1 AS x FROM imip_rsvp_used WHERE id = ?", id)) return false;
      if (!peek) this.sql.run("INSERT INTO imip_rsvp_used (id, at) VALUES (?, ?)", id, Date.now());
      return true;
    });
  }

  /** Messages waiting for e-mail delivery. */
  emailOutbox(): ItipJob[] {
    return this.sql.all<{ payload: string }>("SELECT payload FROM email_outbox ORDER BY created").map((r) => JSON.parse(r.payload) as ItipJob);
  }

  /** Busy time over all opaque calendars (RFC 6638 §5 free-busy for outbox POST). */
  async freeBusy(range: { start: number; end: number }, ownerAddresses: string[] = []): Promise<BusyPeriod[]> {
    return homeBusy(this.sql, this.env.BODIES, range, { ownerAddresses });
  }

  async copyMove(req: CopyMoveRequest): Promise<Result<CopyMoveResult>> {
    const r = capture(() => this.ctx.storage.transactionSync(() => copyMove(this.sql, this.owner, req, this.quota, Date.now())));
    await this.afterCommit();
    return r;
  }

  /** The principals whose homes name this one's principal in sharing or delegation rows (told when it is removed). */
  ties(): string[] {
    return [...new Set([...sharingTies(this.sql), ...delegationTies(this.sql)])];
  }

  /**
   * Forgets principal `id`, removed from the server: its invitations, mounts and proxy-group memberships here, so
   * that CS:invite and group-member-set stop naming it, and a principal made again under that name inherits nothing.
   */
  forgetPrincipal(id: string): void {
    this.ctx.storage.transactionSync(() => {
      forgetInSharing(this.sql, id);
      forgetInDelegation(this.sql, id);
    });
  }

  /** Removes every trace of the home (the principal was deleted). */
  async destroy(): Promise<void> {
    const keys = this.sql.all<{ key: string }>(
      "SELECT body_key AS key FROM objects WHERE body_key != '' UNION SELECT key FROM garbage UNION SELECT key FROM pending_bodies UNION SELECT key FROM itip_bodies",
    ).map((r) => r.key).concat(importKeys(this.sql));
    for (let i = 0; i < keys.length; i += 1000) await this.env.BODIES.delete(keys.slice(i, i + 1000));
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    // This instance lives on; a principal re-created under the same name gets a fresh, empty home (and a new epoch).
    this.epochKnown = null;
    this.ready();
  }

  override async alarm(): Promise<void> {
    // An import's failure to read its staged objects is retried a little later; the other duties run anyway.
    const importing = await this.importBatch().then((more) => (more ? Date.now() : null), () => Date.now() + OUTBOX_RETRY_MS);
    await runRefreshes(this.sql, this.env.BODIES, { owner: this.owner, epoch: this.epoch }, (fn) => this.ctx.storage.transactionSync(fn), Date.now());
    const sent = await this.outbox.send();
    const left = await moveBodiesIn(this.sql, this.env.BODIES, (fn) => this.ctx.storage.transactionSync(fn), Date.now());
    const next = await collectGarbage(this.sql, this.env.BODIES, Date.now());
    const retry = sent ? null : Date.now() + OUTBOX_RETRY_MS;
    const moving = left > 0 ? Date.now() + BODY_MOVE_DELAY_MS : null;
    const at = [next, retry, moving, importing, nextRefresh(this.sql)].filter((x): x is number => x !== null);
    if (at.length) await this.ctx.storage.setAlarm(Math.min(...at));
  }

  /** After a commit: hand the outbox to the Queue, and make sure the alarm will collect garbage and retry sends. */
  private async afterCommit(): Promise<void> {
    // Nothing written since the last look leaves work (a plain PUT, most DELETEs): whatever was pending before has its
    // alarm already, set by whoever wrote it. The first look of an instance always reads (Sql.takeWatched).
    if (!this.sql.takeWatched()) return;
    // What is pending, in one statement.
    const next = this.sql.one<{ pending: number | null; due: number | null; expires: number | null; refresh: number | null }>(
      `SELECT (SELECT 1 FROM outbox LIMIT 1) AS pending, (SELECT MIN(due) FROM garbage) AS due,
         (SELECT MIN(expires) FROM itip_bodies) AS expires, (SELECT MIN(due) FROM refresh_pending) AS refresh`,
    )!;
    const sent = next.pending === null || (await this.outbox.send());
    if (!sent) await this.scheduleAlarm(Date.now() + OUTBOX_RETRY_MS);
    for (const at of [next.due, next.expires, next.refresh]) if (at !== null) await this.scheduleAlarm(at);
  }

  /** Deletes uploads whose commit did not happen. */
  private async dropBodies(keys: string[]): Promise<void> {
    try {
      if (keys.length) await this.env.BODIES.delete(keys);
      for (const key of keys) this.sql.run("DELETE FROM pending_bodies WHERE key = ?", key);
    } catch {
      // The alarm retries them from pending_bodies.
    }
  }

  private async scheduleAlarm(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }
}
