// Import jobs of a calendar home: an uploaded .ics file, split and staged in
// R2 by the Worker (src/transfer/import.ts), is stored object by object by the
// home's alarm, a bounded batch per run, so a 20,000-event file never holds
// the home for long. Each object goes through the validation of a client's
// PUT (core/ical/prepare.ts) and the home's putObject, with its UID rules and
// quota (RFC 4791 §5.3.2.1), but no iTIP message: imports are history, not
// new scheduling (RFC 6638 §3.2 is for clients' changes). The job's counters
// and cursor move in the same transaction as each object's row.
import { DavError } from "../core/errors.js";
import { strongEtag } from "../core/etag.js";
import { prepareObject } from "../core/ical/prepare.js";
import type { Skip } from "../core/ical/import-split.js";
import { packJobs } from "../core/itip-job.js";
import type { ObjectWrite } from "../core/model.js";
import type { Limits } from "../core/props/types.js";
import type { Result } from "../core/errors.js";
import { collectionRow } from "./rows.js";
import { freeName } from "./deliver.js";
import type { Sql } from "../sql.js";

export type ImportMode = "replace" | "skip";

/** A staged part of the split file: a JSON array of `count` { uid, text } in R2. */
export interface ImportChunk {
  key: string;
  count: number;
}

export interface ImportStart {
  id: string;
  collection: string;
  mode: ImportMode;
  chunks: ImportChunk[];
  /** What the split already skipped (counted as done). */
  skipped: Skip[];
}

export interface ImportStatus {
  done: number;
  total: number;
  finished: boolean;
  imported: number;
  replaced: number;
  skippedCount: number;
  /** Every skip with its reason, once the job has finished (while it runs: empty). */
  skipped: Skip[];
}

/** Objects stored per alarm run: the home answers its other requests between runs. */
export const IMPORT_BATCH = 50;
/** A finished job's summary is kept this long. */
const KEEP_FINISHED_MS = 7 * 86_400_000;

interface JobRow {
  id: string;
  collection: string;
  mode: string;
  total: number;
  done: number;
  imported: number;
  replaced: number;
  chunks: string;
  chunk: number;
  position: number;
  finished: number | null;
  [k: string]: SqlStorageValue;
}

/** Records a new job; one runs at a time in a home. Throws 409 while another runs, 409 for a collection that is no calendar. */
export function beginImport(sql: Sql, s: ImportStart, now: number): void {
  const running = sql.one<{ id: string }>("SELECT id FROM import_jobs WHERE finished IS NULL LIMIT 1");
  if (running) throw new DavError(409, { description: "an import is already running in this calendar home; wait for it to finish" });
  const col = collectionRow(sql, s.collection);
  if (!col || col.kind !== "calendar") throw new DavError(409, { description: `no calendar ${s.collection}` });
  for (const old of sql.all<{ id: string }>("SELECT id FROM import_jobs WHERE finished < ?", now - KEEP_FINISHED_MS)) {
    sql.run("DELETE FROM import_skips WHERE job = ?", old.id);
    sql.run("DELETE FROM import_jobs WHERE id = ?", old.id);
  }
  const objects = s.chunks.reduce((n, c) => n + c.count, 0);
  const total = objects + s.skipped.length;
  sql.run(
    "INSERT INTO import_jobs (id, collection, mode, total, done, chunks, created, finished) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    s.id, s.collection, s.mode, total, s.skipped.length, JSON.stringify(s.chunks), now, objects === 0 ? now : null,
  );
  s.skipped.forEach((k, i) => sql.run("INSERT INTO import_skips (job, seq, uid, reason) VALUES (?, ?, ?, ?)", s.id, i, k.uid, k.reason));
}

export function importStatus(sql: Sql, id: string): ImportStatus | null {
  const job = sql.one<JobRow>("SELECT * FROM import_jobs WHERE id = ?", id);
  if (!job) return null;
  const count = sql.one<{ n: number }>("SELECT COUNT(*) AS n FROM import_skips WHERE job = ?", id)!.n;
  const skipped = job.finished === null ? [] : sql.all<{ uid: string; reason: string }>("SELECT uid, reason FROM import_skips WHERE job = ? ORDER BY seq", id);
  return {
    done: job.done, total: job.total, finished: job.finished !== null, imported: job.imported, replaced: job.replaced,
    skippedCount: count, skipped: skipped.map((r) => ({ uid: r.uid, reason: r.reason })),
  };
}

/** The R2 keys a home's jobs still hold (destroy() removes them). */
export function importKeys(sql: Sql): string[] {
  return sql.all<{ chunks: string }>("SELECT chunks FROM import_jobs WHERE finished IS NULL").flatMap((r) => (JSON.parse(r.chunks) as ImportChunk[]).map((c) => c.key));
}

type Outcome = "imported" | "replaced" | { skip: string };

export interface ImportDeps {
  sql: Sql;
  bodies: R2Bucket;
  limits: Limits;
  transact<T>(fn: () => T): T;
  /** The home's putObject; `onCommit` runs inside the write's transaction. */
  put(w: ObjectWrite, onCommit: (created: boolean) => void): Promise<Result<{ created: boolean }>>;
}

const utf8 = new TextEncoder();

/** The last chunk read, so a batch does not fetch its chunk again. */
let chunkCache: { key: string; items: Array<{ uid: string; text: string }> } | null = null;

/**
 * Stores up to IMPORT_BATCH objects of the running job. Returns true when more are left. A failure to read the
 * staged chunk throws (the alarm tries again); anything wrong with one object skips it with the reason, so every
 * run moves the job on by at least one object.
 */
export async function runImportBatch(d: ImportDeps, now: () => number): Promise<boolean> {
  const job = d.sql.one<JobRow>("SELECT * FROM import_jobs WHERE finished IS NULL ORDER BY created LIMIT 1");
  if (!job) return false;
  const chunks = JSON.parse(job.chunks) as ImportChunk[];
  for (let n = 0; n < IMPORT_BATCH; n++) {
    const cur = d.sql.one<JobRow>("SELECT * FROM import_jobs WHERE id = ?", job.id)!;
    const chunk = chunks[cur.chunk];
    if (!chunk) {
      await finish(d, job.id, chunks, now());
      return d.sql.one("SELECT 1 AS x FROM import_jobs WHERE finished IS NULL LIMIT 1") !== undefined;
    }
    const items = await chunkItems(d.bodies, chunk.key);
    const item = items[cur.position];
    // The cursor moves with the outcome, in one transaction: a run cut short resumes at the next object, never twice.
    const advance = (outcome: Outcome) => {
      const next = cur.position + 1 >= chunk.count ? { chunk: cur.chunk + 1, position: 0 } : { chunk: cur.chunk, position: cur.position + 1 };
      const moved = d.sql.run(
        `UPDATE import_jobs SET done = done + 1, imported = imported + ?, replaced = replaced + ?, chunk = ?, position = ?
         WHERE id = ? AND chunk = ? AND position = ? AND finished IS NULL`,
        outcome === "imported" ? 1 : 0, outcome === "replaced" ? 1 : 0, next.chunk, next.position, job.id, cur.chunk, cur.position,
      );
      // Another run took this object meanwhile: the transaction (and the object's write with it) is undone.
      if (moved === 0) throw new CursorMoved();
      if (typeof outcome === "object") {
        const seq = d.sql.one<{ n: number }>("SELECT COALESCE(MAX(seq) + 1, 0) AS n FROM import_skips WHERE job = ?", job.id)!.n;
        d.sql.run("INSERT INTO import_skips (job, seq, uid, reason) VALUES (?, ?, ?, ?)", job.id, seq, item?.uid ?? "", outcome.skip);
      }
    };
    if (!item) {
      d.transact(() => advance({ skip: "the uploaded object is no longer staged (its part of the file is gone from R2)" }));
      continue;
    }
    const skip = await storeOne(d, job, item, now(), advance);
    if (skip !== null) d.transact(() => advance({ skip }));
  }
  return true;
}

/** Thrown inside a transaction when the job's cursor is no longer where a run read it. */
export class CursorMoved extends Error {}

/** Stores one object like a PUT; returns null when it was stored (and the cursor moved with it), else why it was skipped. */
async function storeOne(d: ImportDeps, job: JobRow, item: { uid: string; text: string }, now: number, advance: (o: Outcome) => void): Promise<string | null> {
  const bytes = utf8.encode(item.text);
  if (bytes.byteLength > d.limits.maxResourceSize) return `the object has ${bytes.byteLength} octets; max-resource-size is ${d.limits.maxResourceSize} (RFC 4791 §5.3.2.1)`;
  let prepared;
  try {
    prepared = prepareObject(bytes, d.limits, now);
  } catch (e) {
    // Whatever a file holds, it skips its object: a run never stops on the same object again and again.
    return `invalid data: ${e instanceof Error ? e.message : String(e)}`;
  }
  const col = collectionRow(d.sql, job.collection);
  if (!col) return `the calendar ${job.collection} no longer exists`;
  const existing = d.sql.one<{ name: string }>("SELECT name FROM objects WHERE collection_id = ? AND uid = ?", col.id, prepared.parsed.uid);
  if (existing && job.mode === "skip") return "the UID is already in this calendar (kept as it was)";
  const name = existing?.name ?? freeName(d.sql, col, prepared.parsed.uid);
  const w: ObjectWrite = {
    collection: job.collection,
    name,
    body: prepared.text,
    size: bytes.byteLength,
    etag: await strongEtag(bytes),
    index: prepared.parsed.index,
    instances: prepared.instances,
    // A new name must still be free when the write commits; a replaced object is the person's choice.
    ...(existing ? {} : { ifNoneMatch: "*" as const }),
    // A meeting is stored as the scheduling object it is (RFC 6638 §3.1), with no message to send.
    ...(prepared.snapshot ? { schedule: { snapshot: JSON.stringify(prepared.snapshot), newTag: true, jobs: packJobs([]) } } : {}),
  };
  const r = await d.put(w, (created) => advance(created ? "imported" : "replaced"));
  return r.ok ? null : r.error.description;
}

async function chunkItems(bodies: R2Bucket, key: string): Promise<Array<{ uid: string; text: string }>> {
  if (chunkCache?.key === key) return chunkCache.items;
  const obj = await bodies.get(key);
  // A part gone from R2 (deleted by hand, a lifecycle rule): its objects are skipped one by one, and the job ends.
  if (!obj) return [];
  const items = (await obj.json()) as Array<{ uid: string; text: string }>;
  chunkCache = { key, items };
  return items;
}

async function finish(d: ImportDeps, id: string, chunks: ImportChunk[], now: number): Promise<void> {
  d.transact(() => d.sql.run("UPDATE import_jobs SET finished = ? WHERE id = ?", now, id));
  chunkCache = null;
  // The chunks are no longer needed; a failed delete leaves them to R2's lifecycle (README).
  for (let i = 0; i < chunks.length; i += 1000) await d.bodies.delete(chunks.slice(i, i + 1000).map((c) => c.key)).catch(() => {});
}
