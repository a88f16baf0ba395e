// GET and HEAD (RFC 4918 section 9.4): calendar objects are served with a
// strong ETag from the body the home keeps in its row (or, when large, from
// R2 under an immutable key); collections answer a short text description.
import { collectionLength, collectionText, COLLECTION_CONTENT_TYPE } from "../core/collection-get.js";
import { httpDate, parseEtagList, wholeSecond } from "../core/conditional.js";
import { mapLimit } from "../core/async.js";
import { DavError, preconditionFailed } from "../core/errors.js";
import { locate } from "../core/paths.js";
import type { ObjectInfo } from "../core/model.js";
import type { DavContext, DavRequest } from "./context.js";
import { resolve } from "./resolve.js";
import { bodyView, dataOf } from "./shared.js";
import { NOTIFICATION_TYPE } from "../core/sharing/model.js";

export async function get(req: DavRequest, ctx: DavContext): Promise<Response> {
  const r = await resolve(locate(req.url.pathname), ctx);
  if (r.kind === "notification") {
    const headers = { "Content-Type": NOTIFICATION_TYPE, ETag: `"${r.item.etag}"`, "Content-Length": String(r.item.size) };
    return new Response(req.method === "HEAD" ? null : (r.item.body ?? ""), { headers });
  }
  if (r.kind !== "object") {
    const text = collectionText(r.href, r.kind);
    return new Response(req.method === "HEAD" ? null : text, {
      headers: { "Content-Type": COLLECTION_CONTENT_TYPE, "Content-Length": String(collectionLength(r.href, r.kind)) },
    });
  }
  // RFC 9110 §13.2.2, in its order: If-Match, else If-Unmodified-Since; If-None-Match, else If-Modified-Since.
  const quoted = `"${r.object.etag}"`;
  const modified = wholeSecond(r.object.modified); // as Last-Modified says it
  const ifMatch = parseEtagList(req.headers.get("if-match"));
  if (ifMatch !== undefined && ifMatch !== "*" && !ifMatch.includes(quoted)) throw preconditionFailed();
  const unmodifiedSince = ifMatch === undefined ? httpDate(req.headers.get("if-unmodified-since")) : null;
  if (unmodifiedSince !== null && modified > unmodifiedSince) throw preconditionFailed("modified since the If-Unmodified-Since date");
  const ifNoneMatch = parseEtagList(req.headers.get("if-none-match"));
  const modifiedSince = ifNoneMatch === undefined ? httpDate(req.headers.get("if-modified-since")) : null;
  if ((ifNoneMatch !== undefined && (ifNoneMatch === "*" || ifNoneMatch.includes(quoted))) || (modifiedSince !== null && modified <= modifiedSince))
    return new Response(null, { status: 304, headers: { ETag: quoted, "Last-Modified": new Date(modified).toUTCString() } });

  const body = await readBody(ctx, dataOf(r.owner.id, r.collection).home, r.object);
  const text = bodyView(r.collection)(body.text);
  const headers: Record<string, string> = {
    "Content-Type": "text/calendar; charset=utf-8",
    ETag: `"${body.object.etag}"`,
    "Last-Modified": new Date(body.object.modified).toUTCString(),
    "Content-Length": String(text === body.text ? body.object.size : new TextEncoder().encode(text).byteLength),
  };
  if (body.object.scheduleTag) headers["Schedule-Tag"] = `"${body.object.scheduleTag}"`;
  return new Response(req.method === "HEAD" ? null : text, { headers });
}

/**
 * An object's body. The home sends the bodies it keeps in its rows along with the rows (home/bodies.ts), so this
 * usually reads nothing; a body kept in R2 is read from there; one the home left out (past its answer's budget) is
 * asked for. A concurrent PUT may replace the row between our read of it and the R2 read; the old body stays for a
 * grace period, but if it is gone we re-read the row once and serve the newer version.
 */
export async function readBody(ctx: DavContext, owner: string, object: ObjectInfo): Promise<{ object: ObjectInfo; text: string }> {
  for (let attempt = 0; attempt < 3; attempt++) {
    if (object.body !== undefined) return { object, text: object.body };
    if (object.bodyKey) {
      const stored = await ctx.env.BODIES.get(object.bodyKey);
      if (stored) return { object, text: await stored.text() };
    }
    const fresh = await ctx.home(owner).object(object.collection, object.name);
    if (!fresh) throw new DavError(404, { description: "the resource was deleted" });
    object = fresh.object;
  }
  throw new DavError(503, { description: "the resource is changing; try again", headers: { "Retry-After": "1" } });
}

/** How many bodies one request for the bodies a home left out asks for. */
const BODY_BATCH = 200;

/**
 * The bodies of several objects of one collection, in order: those the home sent along as they are, those in R2
 * read six at a time, those the home left out (past its answer's budget) asked for in batches.
 */
export async function readBodies(ctx: DavContext, owner: string, objects: readonly ObjectInfo[]): Promise<Array<{ object: ObjectInfo; text: string }>> {
  const out: Array<{ object: ObjectInfo; text: string } | undefined> = objects.map((o) => (o.body !== undefined ? { object: o, text: o.body } : undefined));
  const leftOut = objects.map((o, i) => ({ o, i })).filter(({ o }) => o.body === undefined && !o.bodyKey);
  for (let k = 0; k < leftOut.length; k += BODY_BATCH) {
    const batch = leftOut.slice(k, k + BODY_BATCH);
    const found = await ctx.home(owner).objects(batch[0]!.o.collection, batch.map(({ o }) => o.name), true);
    const byName = new Map((found?.objects ?? []).map((o) => [o.name, o]));
    for (const { o, i } of batch) {
      const fresh = byName.get(o.name);
      if (fresh?.body !== undefined) out[i] = { object: fresh, text: fresh.body };
    }
  }
  const rest = objects.map((o, i) => ({ o, i })).filter(({ i }) => out[i] === undefined);
  await mapLimit(rest, 6, async ({ o, i }) => {
    out[i] = await readBody(ctx, owner, o);
  });
  return out as Array<{ object: ObjectInfo; text: string }>;
}
