// Runs incoming scheduling work (home/inbound.ts) against the home's store:
// per UID, one runner at a time; it reads the current copy, applies every
// queued operation, writes the new body to R2 under a fresh key and commits
// the row, the inbox items, the applied-message ids and any outgoing replies
// in one transaction, compare-and-swapping on the ETag it read (a client
// PUT in between makes it start over). RFC 6638 section 4.
import { strongEtag } from "../core/etag.js";
import { nameForUid, jobOf } from "../core/itip-job.js";
import { parseCalendarObject, type IndexSummary } from "../core/ical/parse.js";
import { SCHEDULE_STATUS, snapshotOf, type ScheduleSnapshot } from "../core/schedule/index.js";
import { instanceIndex } from "../core/query/instance-index.js";
import { caldav } from "../core/xml/names.js";
import { textOf } from "../core/xml/tree.js";
import { homeBusy } from "./busy.js";
import { inRow, rowBody } from "./bodies.js";
import { applyOps, type InboundOp, type OpOutcome } from "./inbound.js";
import { commitStaged, planStaging, stageBodies } from "./outbox.js";
import { scheduleRefresh } from "./refresh.js";
import { collectionRow, objectRow, readProps, scopes, type CollectionRow, type ObjectRow } from "./rows.js";
import type { Sql } from "../sql.js";
import { addUsed, fitsQuota, footprint, newScheduleTag, stateBytes, writeRow, type RowData } from "./writes.js";
import { INBOX } from "./provision.js";
import { mayHost } from "./hosted.js";

export interface DeliveryHost {
  sql: Sql;
  bodies: R2Bucket;
  epoch: string;
  owner: string;
  /** The home's quota in octets (RFC 4331): deliveries that would exceed it are refused. */
  quota: number;
  transact<T>(fn: () => T): T;
  /** Flush the outbox and schedule the alarm. */
  afterCommit(): Promise<void>;
}

interface Pending {
  op: InboundOp;
  resolve: (o: OpOutcome) => void;
  reject: (e: unknown) => void;
}

const MAX_ATTEMPTS = 6;
const ROOM_HORIZON_MS = 2 * 366 * 86_400_000;

const utf8 = new TextEncoder();

/** The scheduling copy of `uid` in the home's calendars, if any (RFC 6638 §3.2.4.1: at most one). */
export function findByUid(sql: Sql, uid: string): { col: CollectionRow; row: ObjectRow } | undefined {
  const hit = sql.one<{ collection_id: number; name: string }>(
    `SELECT o.collection_id, o.name FROM objects o JOIN collections c ON c.id = o.collection_id
     WHERE o.uid = ? AND c.kind = 'calendar' ORDER BY o.snapshot IS NULL LIMIT 1`,
    uid,
  );
  if (!hit) return undefined;
  const col = sql.one<CollectionRow>("SELECT * FROM collections WHERE id = ?", hit.collection_id)!;
  return { col, row: objectRow(sql, col.id, hit.name)! };
}

/** Where a new invitation lands: the inbox's schedule-default-calendar-URL, else a calendar for that component (RFC 6638 §9.2). */
export function defaultCalendarFor(sql: Sql, component: string): CollectionRow | undefined {
  const inbox = collectionRow(sql, INBOX);
  const chosen = inbox && readProps(sql, scopes.collection(inbox.id))[caldav("schedule-default-calendar-URL")];
  const supports = (c: CollectionRow | undefined) => c && c.kind === "calendar" && (JSON.parse(c.components) as string[]).includes(component);
  if (chosen) {
    const name = decodeURIComponent(textOf(chosen).trim().replace(/\/+$/, "").split("/").pop() ?? "");
    const c = collectionRow(sql, name);
    if (supports(c)) return c;
  }
  const calendars = sql.all<CollectionRow>("SELECT * FROM collections WHERE kind = 'calendar' ORDER BY id");
  return calendars.find((c) => supports(c));
}

/** A name for a new object of `uid` in `col` (a delivered copy, an imported object): the UID made safe (nameForUid), else with a suffix. */
export function freeName(sql: Sql, col: CollectionRow, uid: string): string {
  const base = nameForUid(uid);
  const taken = objectRow(sql, col.id, base);
  return !taken || taken.uid === uid ? base : `${base.slice(0, -4)}-${crypto.randomUUID().slice(0, 8)}.ics`;
}

/** For each sharee whose reply ops are queued: whether the copy is in a calendar it may organize in (hosted.ts). */
function hostingOf(sql: Sql, found: { col: CollectionRow } | undefined, ops: InboundOp[]): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const o of ops) if (o.kind === "deliver" && o.hosted !== undefined) out.set(o.hosted, !!found && mayHost(sql, found.col.id, o.hosted));
  return out;
}

const sameHosting = (a: Map<string, boolean>, b: Map<string, boolean>) => [...a].every(([k, v]) => b.get(k) === v);

const inboxIndex = (uid: string, component: string): IndexSummary => ({
  uid, component: component as IndexSummary["component"], start: null, end: null, recurring: false, floating: false, exact: false, busy: null,
});

export class Deliveries {
  private readonly queues = new Map<string, Pending[]>();

  constructor(private readonly host: DeliveryHost) {}

  submit(uid: string, op: InboundOp): Promise<OpOutcome> {
    return new Promise((resolve, reject) => {
      const q = this.queues.get(uid);
      if (q) {
        q.push({ op, resolve, reject });
        return;
      }
      this.queues.set(uid, [{ op, resolve, reject }]);
      void this.drain(uid);
    });
  }

  private async drain(uid: string): Promise<void> {
    const q = this.queues.get(uid)!;
    while (q.length > 0) {
      const batch = q.splice(0);
      try {
        const outcomes = await this.applyBatch(uid, batch.map((p) => p.op));
        batch.forEach((p, i) => p.resolve(outcomes[i]!));
      } catch (e) {
        for (const p of batch) p.reject(e);
      }
    }
    this.queues.delete(uid);
  }

  private async applyBatch(uid: string, ops: InboundOp[]): Promise<OpOutcome[]> {
    const { sql, bodies } = this.host;
    // Deliveries refused because they would not fit in the home's quota (RFC 4331): the rest of the batch still applies.
    let overQuota = false;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const now = Date.now();
      const found = findByUid(sql, uid);
      const text = found ? await rowBody(bodies, found.row) : null;
      const active = overQuota ? ops.filter((o) => o.kind === "status") : ops;
      const room = active.find((o) => o.kind === "deliver" && !o.hosted && (o.me.type === "ROOM" || o.me.type === "RESOURCE"));
      const busy = room?.kind === "deliver"
        ? await homeBusy(sql, bodies, { start: now - 86_400_000, end: now + ROOM_HORIZON_MS }, { excludeUid: uid, ownerAddresses: room.me.addresses })
        : [];
      const seen = (id: string) => sql.one("SELECT 1 AS x FROM itip_applied WHERE id = ?", id) !== undefined;
      const organizer = found?.row.snapshot ? (JSON.parse(found.row.snapshot) as ScheduleSnapshot).organizer : null;
      const stamp = (rid: string, attendee: string) =>
        sql.one<{ stamp: string }>("SELECT stamp FROM reply_stamps WHERE uid = ? AND rid = ? AND attendee = ?", uid, rid, attendee)?.stamp;
      // Replies for a sharee's meeting (hosted.ts): whether its copy is in a calendar the sharee may still write.
      const hosting = hostingOf(sql, found, active);
      const { result, outcomes } = applyOps(text, organizer, active, seen, busy, now, stamp, (sharee) => hosting.get(sharee) === true);
      // Whose meeting had replies merged: its refreshes go out as that sharee's (refresh.ts).
      const hostedBy = active.find((o, i) => o.kind === "deliver" && o.hosted && outcomes[i]?.status === SCHEDULE_STATUS.DELIVERED);

      let row: RowData | undefined;
      if (result.text !== null && result.text !== text) {
        const obj = parseCalendarObject(result.text);
        const snap = snapshotOf(obj);
        row = {
          uid, component: obj.component, etag: await strongEtag(result.text), scheduleTag: null,
          size: utf8.encode(result.text).byteLength, bodyKey: "", index: obj.index,
          snapshot: snap ? JSON.stringify(snap) : null, instances: instanceIndex(obj, now),
        };
      }
      const inbox = result.inbox.map((item) => ({ ...item, key: "", size: utf8.encode(item.body).byteLength, etag: "" }));
      const outgoing = result.outgoing.map((m) => jobOf(m, this.host.owner, now));
      const growth = (row ? row.size + stateBytes(row.snapshot, row.instances) - footprint(found?.row) : 0)
        + inbox.reduce((n, i) => n + i.size, 0) + [...planStaging(outgoing).values()].reduce((n, size) => n + size, 0);
      if (!overQuota && ops.some((o) => o.kind !== "status") && !fitsQuota(sql, growth, this.host.quota)) {
        overQuota = true;
        attempt--;
        continue;
      }

      // Bodies live in their rows (bodies.ts); one too large goes to R2 under a fresh key, before the transaction.
      const keys: string[] = [];
      const put = async (body: string, size: number, snapshotLength: number) => {
        if (inRow(size, snapshotLength)) return "";
        const key = `${this.host.epoch}/s/${crypto.randomUUID()}`;
        sql.run("INSERT INTO pending_bodies (key, created) VALUES (?, ?)", key, now);
        keys.push(key);
        await bodies.put(key, body, { httpMetadata: { contentType: "text/calendar; charset=utf-8" } });
        return key;
      };
      if (row) {
        row.body = result.text!;
        row.bodyKey = await put(result.text!, row.size, row.snapshot?.length ?? 0);
      }
      for (const item of inbox) {
        item.key = await put(item.body, item.size, 0);
        item.etag = await strongEtag(item.body);
      }
      const staged = await stageBodies(sql, bodies, this.host.epoch, outgoing, now);
      keys.push(...staged.keys.map((k) => k.key));

      const committed = this.host.transact(() => {
        const again = findByUid(sql, uid);
        if ((again?.row.etag ?? null) !== (found?.row.etag ?? null)) return false;
        // A share withdrawn or made read-only meanwhile: decide again.
        if (!sameHosting(hosting, hostingOf(sql, again, active))) return false;
        if (row) {
          const col = found?.col ?? defaultCalendarFor(sql, row.component);
          if (col) {
            const name = found?.row.name ?? freeName(sql, col, uid);
            row.scheduleTag = result.newTag || !found?.row.schedule_tag ? newScheduleTag() : found.row.schedule_tag;
            writeRow(sql, col, name, row, found?.row, now);
          }
        }
        const inboxCol = collectionRow(sql, INBOX);
        for (const item of inboxCol ? inbox : []) {
          // The inbox keeps every message (RFC 6638 §2.2): an update or a cancellation is an item of its own.
          writeRow(sql, inboxCol!, `${item.id}.ics`, {
            uid: item.uid, component: item.component, etag: item.etag, scheduleTag: null, size: item.size, bodyKey: item.key, body: item.body,
            index: inboxIndex(item.uid, item.component), snapshot: null,
          }, undefined, now);
        }
        for (const id of result.applied) sql.run("INSERT OR IGNORE INTO itip_applied (id, at) VALUES (?, ?)", id, now);
        for (const s of result.stamps)
          sql.run("INSERT OR REPLACE INTO reply_stamps (uid, rid, attendee, stamp) VALUES (?, ?, ?, ?)", uid, s.rid, s.attendee, s.stamp);
        if (result.refresh.length) scheduleRefresh(sql, uid, result.refresh, now, hostedBy?.kind === "deliver" ? hostedBy.hosted : undefined);
        commitStaged(sql, staged, now, (delta) => addUsed(sql, delta));
        return true;
      });
      if (!committed) {
        for (const k of keys) await bodies.delete(k).catch(() => {});
        for (const k of keys) sql.run("DELETE FROM pending_bodies WHERE key = ?", k);
        continue;
      }
      await this.host.afterCommit();
      if (!overQuota) return outcomes;
      // The refused deliveries learn 5.1 (not delivered, may succeed later); the other operations were applied.
      let k = 0;
      return ops.map((o) => (o.kind !== "status" ? { status: SCHEDULE_STATUS.TEMPORARY_FAILURE } : outcomes[k++]!));
    }
    throw new Error(`delivery for UID ${uid}: the copy kept changing; try again`);
  }
}
