// Answers to PROPFIND and REPORT on a calendar collection, kept in the
// Worker isolate's memory and reused while the home has not changed. Clients
// poll the same Depth-1 PROPFIND, sync-collection and calendar-query of
// unchanged calendars over and over; building the same 2,000-member
// multistatus each time was most of such a request's cost. (Apple's Calendar
// Server keeps a PROPFIND response cache for the same reason.)
//
// The home still decides, on every request: before anything else is done,
// the stamp of the answer kept here goes to the home the answer was made
// from, with the read it was made from; the home compares the stamp with its
// own (its instance and its SQL write counter, src/sql.ts Sql.version, which
// any statement that may write moves). Unchanged: the kept answer is sent,
// and the request is not even parsed. Changed: the home does the read in
// that same call, and the request is answered from it as if nothing were
// kept (context.ts stillHolds, resolve.ts). So a write anywhere in the home,
// by any isolate, makes every kept answer of that home stale at once: nothing
// is served that the home would not answer now. The key (below) fixes
// everything the request's own text decides, so the home's state is all
// that is left to ask about.
//
// An answer is kept once its request has come twice (or from two clients at
// once): most multigets come once, and keeping those cost a gzip each and
// pushed out what clients poll.
//
// Only an answer made from that one call is kept: a request that also asked
// the Directory, another home or R2 (a shared calendar, another principal)
// depended on more than the home's stamp, and is answered afresh each time.
// The key holds everything else an answer depends on: the principal as
// authenticated, the method, origin and path, Depth, Prefer/Brief and body.
import { gunzipSync, gzipSync } from "node:zlib";
import type { DavContext, DavRequest, ViewMade } from "./context.js";

/** Octets of answers (and characters of their keys) kept per isolate; the oldest go first. */
export const ANSWER_CACHE_OCTETS = 8 * 1024 * 1024;
/** An answer larger than this (octets) is not kept. */
const MAX_ANSWER_OCTETS = 2 * 1024 * 1024;
/** A request body larger than this is not a key. */
const MAX_KEY_BODY = 64 * 1024;
/**
 * A kept answer is not reused after this long even if the home has not changed: a free-busy answer's DTSTAMP says
 * when it was made, and an isolate should not hold memory for clients long gone.
 */
const MAX_AGE_MS = 10 * 60 * 1000;

/** How long a request waits for the same answer being made by another before making its own, looking every step. */
const MAX_WAIT_MS = 2_000;
const WAIT_STEP_MS = 4;

/** Characters of keys remembered as never kept; the memory is forgotten whole when full. */
const MAX_UNKEPT_CHARS = 1024 * 1024;

/**
 * Requests remembered (by a hash of their key) as asked for once: an answer is kept only when its request comes a
 * second time. Most multigets and many queries are asked once (a client fetches what changed), and keeping them
 * cost the gzip and pushed out the listings and syncs that clients poll. Forgotten whole when full.
 */
const MAX_SIGHTINGS = 65_536;

/** The methods whose answers may be kept: reads of a collection and its members. */
const CACHED_METHODS = new Set(["PROPFIND", "REPORT"]);
/** Conditional requests are answered afresh (their outcome is not part of the key). */
const CONDITIONAL = ["if", "if-match", "if-none-match", "if-modified-since", "if-unmodified-since"];

interface Kept {
  /** The read the answer was made from: its home, collection and read, and the home's stamp then. */
  view: ViewMade;
  status: number;
  headers: [string, string][];
  /** The body gzipped once: a reuse neither encodes nor compresses it again, and it takes a tenth of the memory. */
  gzipped: Uint8Array;
  at: number;
  /** What the entry holds: its answer, its key, and the read it was made from (as sent, and as the home keeps it). */
  size: number;
}

export class AnswerCache {
  private readonly entries = new Map<string, Kept>();
  /** Keys whose answers are not kept (markNeverKept), at most MAX_UNKEPT_CHARS of them. */
  private readonly unkept = new Set<string>();
  private unkeptChars = 0;
  /** Answers being made now, by key (each with a mark of the request making it). */
  private readonly underway = new Map<string, object>();
  /** Requests asked for lately, by a hash of their key: how often (once or more). */
  private readonly sightings = new Map<number, 1 | 2>();
  private held = 0;

  constructor(private readonly maxOctets = ANSWER_CACHE_OCTETS, private readonly now: () => number = Date.now) {}

  /** The kept answer for `key`, if young enough (it is still to be confirmed by the home). */
  get(key: string): Kept | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (this.now() - e.at > MAX_AGE_MS) {
      this.drop(key);
      return undefined;
    }
    // Most recently used last, so the oldest go first.
    this.entries.delete(key);
    this.entries.set(key, e);
    return e;
  }

  set(key: string, kept: Omit<Kept, "at" | "size">): void {
    this.drop(key);
    const size = kept.gzipped.byteLength + key.length + 2 * JSON.stringify(kept.view.op).length;
    if (size > MAX_ANSWER_OCTETS) return;
    for (const [k] of this.entries) {
      if (this.held + size <= this.maxOctets) break;
      this.drop(k);
    }
    this.entries.set(key, { ...kept, at: this.now(), size });
    this.held += size;
  }

  /** Whether answers to `key` were found to be made from more than one call (so never kept, and never waited for). */
  neverKept(key: string): boolean {
    return this.unkept.has(key);
  }

  markNeverKept(key: string): void {
    if (this.unkept.has(key)) return;
    if (this.unkeptChars + key.length > MAX_UNKEPT_CHARS) {
      this.unkept.clear();
      this.unkeptChars = 0;
    }
    this.unkept.add(key);
    this.unkeptChars += key.length;
  }

  /**
   * Notes that `key` is asked for; returns its hash for askedAgain(). A hash shared by two keys only keeps an answer
   * sooner: what is sent is still decided by the key and the home.
   */
  sight(key: string): number {
    const h = hashOf(key);
    if (this.sightings.size >= MAX_SIGHTINGS) this.sightings.clear();
    this.sightings.set(h, this.sightings.has(h) ? 2 : 1);
    return h;
  }

  /** Whether the request of hash `h` was asked for more than once (since the sightings were last forgotten). */
  askedAgain(h: number): boolean {
    return this.sightings.get(h) === 2;
  }

  /** Whether an answer for `key` is being made now. */
  making(key: string): boolean {
    return this.underway.has(key);
  }

  /** Marks an answer for `key` as being made; the function returned marks it done. */
  begin(key: string): () => void {
    const mark = {};
    this.underway.set(key, mark);
    return () => {
      if (this.underway.get(key) === mark) this.underway.delete(key);
    };
  }

  get size(): number {
    return this.entries.size;
  }

  private drop(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.held -= e.size;
    this.entries.delete(key);
  }
}

/** What the answer to `req` depends on besides the home's state; null if it is not to be kept at all. */
export function answerKey(req: DavRequest, ctx: DavContext): string | null {
  if (!CACHED_METHODS.has(req.method) || req.body.length > MAX_KEY_BODY) return null;
  const h = req.headers;
  if (CONDITIONAL.some((name) => h.has(name))) return null;
  const body = new TextDecoder().decode(req.body);
  // The origin too: an absolute href in a body names a resource only on the origin it was sent to (paths.ts locateHref).
  return [JSON.stringify(ctx.user), req.method, req.url.origin + req.url.pathname, h.get("depth") ?? "", h.get("prefer") ?? "", h.get("brief") ?? "", body].join("\n");
}

/** The isolate's cache: one per isolate, shared by its requests (each request is still confirmed by its home). */
const isolateCache = new AnswerCache();

/**
 * Runs `handler` for `req`, answering from the kept answer when the home confirms it, and keeping the answer when it
 * was made from the home's one call alone.
 */
export async function withAnswerCache(
  req: DavRequest,
  ctx: DavContext,
  handler: () => Promise<Response>,
  cache: AnswerCache = isolateCache,
): Promise<Response> {
  const key = answerKey(req, ctx);
  if (key === null || cache.neverKept(key)) return handler();
  const seen = cache.sight(key);
  // The same request already being answered (eight clients asking at once after a change): wait for that answer,
  // then ask the home whether it still holds, rather than building the same answer eight times at once.
  // It looks again every few milliseconds: a promise settled by another request's code does not wake this one in
  // workerd (its continuation waits for an event of this request), and a request cancelled mid-way never settles.
  for (let waited = 0; cache.making(key) && waited < MAX_WAIT_MS; waited += WAIT_STEP_MS) await new Promise((r) => setTimeout(r, WAIT_STEP_MS));
  const kept = cache.get(key);
  if (kept && (await ctx.stillHolds(kept.view))) return send(kept.gzipped, kept.status, kept.headers, acceptsGzip(clientEncodings(req)));
  const done = cache.begin(key);
  try {
    // Kept if asked for before (a stale answer was, too), or by another request meanwhile (eight clients at once).
    return await answer(req, ctx, handler, cache, key, () => kept !== undefined || cache.askedAgain(seen));
  } finally {
    done();
  }
}

async function answer(req: DavRequest, ctx: DavContext, handler: () => Promise<Response>, cache: AnswerCache, key: string, worthKeeping: () => boolean): Promise<Response> {
  const res = await handler();
  const view = ctx.soleView();
  // Made from more than the home's one call (a shared calendar, a delegate): not kept, and nobody waits for it.
  if (view === null) cache.markNeverKept(key);
  // A multistatus, or a free-busy-query's VFREEBUSY (RFC 4791 §7.10; its DTSTAMP says when it was made).
  if (view === null || !(res.status === 207 || (req.method === "REPORT" && res.status === 200)) || !worthKeeping()) return res;
  const gzipped = gzip(await res.arrayBuffer());
  const headers = [...res.headers];
  cache.set(key, { view, status: res.status, headers, gzipped });
  return send(gzipped, res.status, headers, acceptsGzip(clientEncodings(req)));
}

/** FNV-1a over the key's UTF-16 units: 32 bits, enough to tell requests asked once from those asked again. */
function hashOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The Accept-Encoding the client itself sent ("" when none). */
const clientEncodings = (req: DavRequest): string => req.acceptEncoding ?? req.headers.get("accept-encoding") ?? "";

/**
 * Whether the client takes gzip (RFC 9110 §12.5.3): named, and not with q=0. A client that sent no Accept-Encoding
 * gets the answer uncompressed: the RFC would allow any coding, but clients that never ask seldom decode.
 */
export function acceptsGzip(acceptEncoding: string): boolean {
  for (const part of acceptEncoding.split(",")) {
    const [coding, ...params] = part.split(";").map((x) => x.trim().toLowerCase());
    if (coding !== "gzip" && coding !== "x-gzip") continue;
    const q = params.find((p) => p.startsWith("q="));
    return !q || Number(q.slice(2)) > 0;
  }
  return false;
}

/**
 * gzip at level 1: a kept answer is compressed once, when made, and most made answers are never asked for again, so
 * the making is what to spare. Timed in the isolate (2026-12-07), a 150 KB multiget answer took 0.29 ms this way,
 * 0.49 at zlib's default level and 0.56 through CompressionStream; XML of hrefs and ETags compresses well either way.
 */
function gzip(bytes: ArrayBuffer): Uint8Array {
  return gzipSync(new Uint8Array(bytes), { level: 1 });
}

/** A kept body as the client takes it: gzipped as kept (sent as is, not compressed again), or inflated, with its length. */
function send(gzipped: Uint8Array, status: number, headers: [string, string][], gzipOk: boolean): Response {
  const vary: [string, string] = ["Vary", "Accept-Encoding"];
  if (gzipOk) return new Response(gzipped, { status, headers: [...headers, ["Content-Encoding", "gzip"], vary], encodeBody: "manual" });
  const plain = gunzipSync(gzipped);
  return new Response(plain, { status, headers: [...headers, vary] });
}
