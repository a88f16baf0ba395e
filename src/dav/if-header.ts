// Preconditions judged before a DAV request runs: the If header (RFC 4918
// §10.4) on any method, 400 when it does not parse and 412 when none of its
// lists holds for the resources as they are now (core/if-header.ts decides;
// this reads the entity tags it needs); If-Unmodified-Since on a PUT or
// DELETE without If-Match (RFC 9110 §13.1.4; GET answers its own, get.ts);
// and If-Match, If-None-Match and If-Unmodified-Since on the methods whose
// handlers do not judge them (PROPFIND, PROPPATCH, REPORT, POST, MKCOL).
// A PUT or DELETE they let through is pinned to the state it was judged on,
// as an If-Match (or If-None-Match: * for an absent resource) that the home
// checks in the transaction that writes: a change in between is a 412, not
// a write the header would have refused.
import { checkResourceConditions, httpDate, parseEtagList, quoteEtag, wholeSecond } from "../core/conditional.js";
import { badRequest, DavError, preconditionFailed } from "../core/errors.js";
import { ifHeaderHolds, parseIfHeader, resourcesToLookUp, type IfList } from "../core/if-header.js";
import { locate } from "../core/paths.js";
import type { DavContext, DavRequest } from "./context.js";
import { resolve } from "./resolve.js";

/** Resources an If header may name besides the request-URI: each is a look-up (a round trip) before the request runs. */
export const MAX_IF_RESOURCES = 8;

/** Writes whose handler checks If-Match and If-None-Match where it writes. */
const PINNED = new Set(["PUT", "DELETE"]);

/**
 * Methods whose handlers do not evaluate If-Match, If-None-Match and If-Unmodified-Since themselves (GET, HEAD, PUT,
 * DELETE, COPY and MOVE do): they are evaluated here, against the request-URI, before the method runs (RFC 9110
 * §13.1.1, §13.1.2, §13.1.4: an origin server MUST evaluate them before performing the method).
 */
const JUDGED_HERE = new Set(["PROPFIND", "PROPPATCH", "REPORT", "POST", "MKCOL", "MKCALENDAR", "ACL"]);

/** The request, checked against its If header and the HTTP preconditions judged here (and pinned to what was checked); unchanged without them. */
export async function checkPreconditions(req: DavRequest, ctx: DavContext): Promise<DavRequest> {
  const h = req.headers;
  const value = h.get("if");
  const judged = JUDGED_HERE.has(req.method) && (h.has("if-match") || h.has("if-none-match") || h.has("if-unmodified-since"));
  const since = (PINNED.has(req.method) || judged) && !h.has("if-match") ? httpDate(h.get("if-unmodified-since")) : null;
  if (value === null && since === null && !judged) return req;
  const states = new Map<string | null, State | null>();
  const stateOf = async (resource: string | null): Promise<State | null> => {
    if (!states.has(resource)) {
      const path = resource === null ? req.url.pathname : pathOf(resource, req.url);
      states.set(resource, path === undefined ? null : await stateAt(path, ctx));
    }
    return states.get(resource)!;
  };
  if (value !== null) {
    const parsed = parseIfHeader(value);
    if (!parsed) throw badRequest("the If header does not follow RFC 4918 §10.4");
    // A tag naming the request-URI itself is about the request-URI.
    const lists: IfList[] = parsed.map((l) => ({ ...l, resource: l.resource === null || pathOf(l.resource, req.url) === req.url.pathname ? null : l.resource }));
    const wanted = resourcesToLookUp(lists);
    if (wanted.filter((r) => r !== null).length > MAX_IF_RESOURCES) throw badRequest(`the If header names more than ${MAX_IF_RESOURCES} other resources`);
    const etags = new Map<string | null, string | null>();
    for (const resource of wanted) etags.set(resource, (await stateOf(resource))?.etag ?? null);
    if (!ifHeaderHolds(lists, etags)) throw preconditionFailed("no list of the If header holds (RFC 4918 §10.4)");
  }
  if (judged) {
    // RFC 9110 §13.2.2's order; If-Modified-Since is for GET and HEAD only, and a false If-None-Match is 412 here.
    checkResourceConditions(await stateOf(null), { ifMatch: parseEtagList(h.get("if-match")), ifNoneMatch: parseEtagList(h.get("if-none-match")) });
  }
  if (since !== null) {
    // HTTP dates have whole seconds; a resource without a date to compare is not judged by one (ignored).
    const current = await stateOf(null);
    if (current?.modified != null && wholeSecond(current.modified) > since) throw preconditionFailed("modified since the If-Unmodified-Since date (RFC 9110 §13.1.4)");
  }
  if (!PINNED.has(req.method) || !states.has(null) || h.has("if-match") || h.has("if-none-match")) return req;
  const current = states.get(null) ?? null;
  // Only a calendar object has an entity tag to pin; a collection's DELETE is judged here and not pinned.
  if (current !== null && current.etag === null) return req;
  const headers = new Headers(h);
  if (current === null) headers.set("If-None-Match", "*");
  else headers.set("If-Match", current.etag!);
  return { ...req, headers };
}

/** The path a Resource-Tag names on this server; undefined for another origin or an unparsable reference. */
function pathOf(ref: string, base: URL): string | undefined {
  try {
    const url = new URL(ref, base);
    return url.origin === base.origin ? url.pathname : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What the preconditions compare: a resource's quoted entity tag and when it was last modified (ms); both null for a
 * resource that has neither (a collection, a principal).
 */
interface State {
  etag: string | null;
  modified: number | null;
}

/** The state of the resource at `path`, as the user may see it; null when there is none to see. */
async function stateAt(path: string, ctx: DavContext): Promise<State | null> {
  const loc = locate(path);
  if (loc.kind === "none") return null;
  try {
    const r = await resolve(loc, ctx);
    return r.kind === "object" ? { etag: quoteEtag(r.object.etag), modified: r.object.modified } : { etag: null, modified: null };
  } catch (e) {
    // Absent, or not the user's to see: no entity tag (the handler answers the request itself as it would anyway).
    if (e instanceof DavError && (e.status === 404 || e.status === 403)) return null;
    throw e;
  }
}
