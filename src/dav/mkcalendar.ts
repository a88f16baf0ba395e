// Calendar creation: MKCALENDAR (RFC 4791 §5.3.1) and extended MKCOL
// (RFC 5689 §3) share one core. Calendars live directly in the owner's home.
// Request-level failures (where, whether something exists, the body's XML)
// keep their own status and DAV:error; a property that cannot be set fails
// the whole request with nothing created and a per-property response in
// the element the method calls for (src/core/props/creation.ts decides).
import { C, DavError, precondition } from "../core/errors.js";
import { hrefs, locate } from "../core/paths.js";
import { planCreation, refuseForQuota } from "../core/props/creation.js";
import type { PatchOutcome } from "../core/props/table.js";
import type { Resource } from "../core/props/types.js";
import { groupByStatus, propstats } from "../core/xml/multistatus.js";
import { caldav, dav, type Clark } from "../core/xml/names.js";
import { parseMkcalendar, parseMkcol } from "../core/xml/requests.js";
import { el } from "../core/xml/tree.js";
import { xmlResponse } from "../http/render.js";
import { bodyText, type DavContext, type DavRequest } from "./context.js";

type Method = "MKCALENDAR" | "MKCOL";

/** RFC 4791 §5.3.1: "The response MUST include a Cache-Control:no-cache header" (RFC 5689 §3.4-3.5 show it too). */
const NO_CACHE = { "Cache-Control": "no-cache" };

/**
 * How each method answers a property set that failed. MKCALENDAR: 207 with
 * CALDAV:mkcalendar-response (RFC 4791 §5.3.1.1 "207 (Multi-Status) - The
 * calendar collection resource was not created since one or more DAV:set
 * instructions ... could not be processed successfully"). Extended MKCOL:
 * DAV:mkcol-response (RFC 5689 §3 "MUST contain DAV:propstat XML elements
 * with the status of each property"), with the statuses of RFC 4918 §9.3.1
 * (RFC 5689 §3.2), which has no 207: 403 as in RFC 5689 §3.5, or 507 when
 * only space was missing ("The resource does not have sufficient space to
 * record the state of the resource").
 */
const REFUSAL: Record<Method, { root: Clark; status: (outcomes: PatchOutcome[]) => number }> = {
  MKCALENDAR: { root: caldav("mkcalendar-response"), status: () => 207 },
  MKCOL: { root: dav("mkcol-response"), status: (outcomes) => (outcomes.every((o) => o.status === 507 || o.status === 424) ? 507 : 403) },
};

export const mkcalendar = (req: DavRequest, ctx: DavContext) => withNoCache(createCalendar(req, ctx, "MKCALENDAR"));
export const mkcol = (req: DavRequest, ctx: DavContext) => withNoCache(createCalendar(req, ctx, "MKCOL"));

async function createCalendar(req: DavRequest, ctx: DavContext, method: Method): Promise<Response> {
  const loc = locate(req.url.pathname);
  const inOwnHome = (loc.kind === "collection" || loc.kind === "object") && loc.user === ctx.user.id;
  if (loc.kind === "object" && inOwnHome)
    throw precondition(403, C.calendarCollectionLocationOk, "calendars cannot be created inside another collection");
  if (loc.kind !== "collection" || !inOwnHome) {
    if (loc.kind === "none" || loc.kind === "collection") throw new DavError(403, { description: "calendars can only be created in your calendar home" });
    throw exists(method);
  }

  const body = method === "MKCALENDAR" ? parseMkcalendar(bodyText(req)) : parseMkcol(bodyText(req));
  const owner = ctx.user;
  const snap = await ctx.home(owner.id).snapshot();
  if (snap.collections.some((c) => c.name === loc.collection)) throw exists(method);
  // A MKCOL that names no resourcetype asks for a plain collection (RFC 4918 §9.3), which this server does not make.
  if (method === "MKCOL" && body.resourcetype === undefined)
    throw precondition(403, C.validResourcetype, "only calendar collections can be created here (DAV:resourcetype with DAV:collection and CALDAV:calendar)");

  const draft: Resource = {
    kind: "calendar",
    href: hrefs.collection(owner.id, loc.collection),
    owner,
    home: snap.home,
    collection: { id: 0, name: loc.collection, kind: "calendar", components: [], props: {}, rev: 0, syncToken: "", ctag: "", created: 0, modified: 0 },
  };
  const plan = planCreation(draft, body);
  if (!plan.ok) return refusal(method, plan.outcomes);

  // The home checks the quota and creates the collection with its properties in one transaction.
  const created = await ctx.home(owner.id).createCollection({ name: loc.collection, kind: "calendar", components: plan.components, props: plan.props });
  if (!created.ok) {
    if (created.error.status === 405) throw exists(method);
    if (created.error.condition?.name === C.quotaNotExceeded) return refusal(method, refuseForQuota(plan));
    throw new DavError(created.error.status, { ...(created.error.condition ? { condition: created.error.condition } : {}), description: created.error.description });
  }
  return new Response(null, { status: 201, headers: { Location: draft.href } });
}

function refusal(method: Method, outcomes: PatchOutcome[]): Response {
  const { root, status } = REFUSAL[method];
  // Grouped by status and error, so each failure keeps its own DAV:error element.
  const groups = groupByStatus(outcomes.map((o) => ({ prop: el(o.name), status: o.status, ...(o.error ? { error: o.error } : {}) })));
  return xmlResponse(status(outcomes), el(root, propstats(groups)));
}

function exists(method: Method): DavError {
  return method === "MKCALENDAR"
    ? precondition(403, C.resourceMustBeNull, "a resource already exists at this URL")
    : new DavError(405, { description: "a resource already exists at this URL", headers: { Allow: "OPTIONS, GET, HEAD, DELETE, PROPFIND, PROPPATCH, REPORT" } });
}

/** Every answer of these methods, failures too, carries Cache-Control: no-cache. */
async function withNoCache(answer: Promise<Response>): Promise<Response> {
  try {
    const res = await answer;
    res.headers.set("Cache-Control", NO_CACHE["Cache-Control"]);
    return res;
  } catch (e) {
    if (!(e instanceof DavError)) throw e;
    throw new DavError(e.status, { ...(e.condition ? { condition: e.condition } : {}), description: e.message, headers: { ...e.headers, ...NO_CACHE } });
  }
}
