// Import of an .ics file into one calendar (issue 11 item 5), what the web
// page calls: the upload is split and checked here (core/ical/import-split.ts),
// its objects staged in R2 in chunks, and the calendar home stores them in
// batches from its alarm (home/imports.ts) while the page polls progress.
// A file that is no iCalendar is refused before anything is written.
import { homeStub } from "../bindings.js";
import { DavError, unwrap } from "../core/errors.js";
import { ImportRefused, splitCalendarFile, type Skip, type SplitObject } from "../core/ical/import-split.js";
import type { Principal } from "../core/model.js";
import type { ImportChunk, ImportMode, ImportStatus } from "../home/imports.js";

export type { ImportMode, ImportStatus } from "../home/imports.js";

/** A chunk of staged objects holds at most this many, or about this many octets. */
const CHUNK_OBJECTS = 200;
const CHUNK_OCTETS = 2 * 1024 * 1024;

/** Where a job's staged objects live in R2 (the bodies bucket; never mistaken for a body key, which starts with the home's epoch). */
const chunkKey = (user: string, job: string, n: number) => `imports/${encodeURIComponent(user)}/${job}/${n}`;

/**
 * Starts importing `bytes` into `calendar` of `user`'s home. Throws DavError 400 with the reason when the file is no
 * iCalendar (nothing is changed), 404 for an unknown calendar, 409 while another import runs in the home.
 */
export async function startImport(env: Env, user: Principal, calendar: string, bytes: Uint8Array, mode: ImportMode): Promise<{ jobId: string; total: number }> {
  const home = homeStub(env, user.id);
  const col = await home.collection(calendar);
  if (!col || col.kind !== "calendar") throw new DavError(404, { description: `no calendar ${calendar}` });
  let split;
  try {
    split = splitCalendarFile(bytes);
  } catch (e) {
    if (e instanceof ImportRefused) throw new DavError(400, { description: e.message });
    throw e;
  }
  const jobId = crypto.randomUUID();
  const chunks: ImportChunk[] = [];
  try {
    let items: SplitObject[] = [];
    let octets = 0;
    const flush = async () => {
      if (!items.length) return;
      const key = chunkKey(user.id, jobId, chunks.length);
      await env.BODIES.put(key, JSON.stringify(items.map((o) => ({ uid: o.uid, text: o.text }))));
      chunks.push({ key, count: items.length });
      items = [];
      octets = 0;
    };
    for (const o of split.objects()) {
      items.push(o);
      octets += o.text.length;
      if (items.length >= CHUNK_OBJECTS || octets >= CHUNK_OCTETS) await flush();
    }
    await flush();
    unwrap(await home.beginImport({ id: jobId, collection: calendar, mode, chunks, skipped: split.skipped }));
  } catch (e) {
    await dropChunks(env, chunks);
    throw e;
  }
  return { jobId, total: split.count + split.skipped.length };
}

/** A job's progress; the skipped objects with their reasons once it has finished. 404 for a job the home does not know. */
export async function importProgress(env: Env, user: Principal, jobId: string): Promise<ImportStatus> {
  const status = await homeStub(env, user.id).importStatus(jobId);
  if (!status) throw new DavError(404, { description: "no such import" });
  return status;
}

async function dropChunks(env: Env, chunks: ImportChunk[]): Promise<void> {
  if (chunks.length) await env.BODIES.delete(chunks.map((c) => c.key)).catch(() => {});
}

export type { Skip };
