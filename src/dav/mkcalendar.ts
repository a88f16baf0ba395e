// Calendar creation: MKCALENDAR (RFC 4791 section 5.3.1) and extended MKCOL
// (RFC 5689) share one core. Calendars live directly in the owner's home;
// a failed property fails the whole request with a per-property response.
import { C, DavError, precondition, unwrap } from "../core/errors.js";
import { hrefs, locate } from "../core/paths.js";
import { componentSet } from "../core/props/caldav.js";
import { applyChanges, planPatch } from "../core/props/table.js";
import type { Resource } from "../core/props/types.js";
import { groupByStatus, propstats } from "../core/xml/multistatus.js";
import { caldav, dav } from "../core/xml/names.js";
import { parseMkcalendar, parseMkcol, type CreateRequest } from "../core/xml/requests.js";
import { el } from "../core/xml/tree.js";
import { xmlResponse } from "../http/render.js";
import { bodyText, type DavContext, type DavRequest } from "./context.js";

const DEFAULT_COMPONENTS = ["VEVENT", "VTODO"];

export const mkcalendar = (req: DavRequest, ctx: DavContext) => createCalendar(req, ctx, "MKCALENDAR");
export const mkcol = (req: DavRequest, ctx: DavContext) => createCalendar(req, ctx, "MKCOL");

async function createCalendar(req: DavRequest, ctx: DavContext, method: "MKCALENDAR" | "MKCOL"): Promise<Response> {
  const loc = locate(req.url.pathname);
  const inOwnHome = (loc.kind === "collection" || loc.kind === "object") && loc.user === ctx.user.id;
  if (loc.kind === "object" && inOwnHome)
    throw precondition(403, C.calendarCollectionLocationOk, "calendars cannot be created inside another collection");
  if (loc.kind !== "collection" || !inOwnHome) {
    if (loc.kind === "none" || loc.kind === "collection") throw new DavError(403, { description: "calendars can only be created in your calendar home" });
    throw exists(method);
  }

  const body: CreateRequest = method === "MKCALENDAR" ? parseMkcalendar(bodyText(req)) : parseMkcol(bodyText(req));
  const rt = new Set(body.resourcetype ?? []);
  if (!(rt.size === 2 && rt.has(dav("collection")) && rt.has(caldav("calendar"))))
    throw new DavError(403, { condition: el(dav("valid-resourcetype")), description: "only calendar collections can be created here" });

  const owner = ctx.user;
  const snap = await ctx.home(owner.id).snapshot();
  if (snap.collections.some((c) => c.name === loc.collection)) throw exists(method);

  let components = DEFAULT_COMPONENTS;
  const compProp = body.props.find((p) => p.name === caldav("supported-calendar-component-set"));
  const draft: Resource = {
    kind: "calendar",
    href: hrefs.collection(owner.id, loc.collection),
    owner,
    home: snap.home,
    collection: { id: 0, name: loc.collection, kind: "calendar", components, props: {}, rev: 0, syncToken: "", ctag: "", created: 0, modified: 0 },
  };
  const plan = planPatch(
    draft,
    body.props.map((prop) => ({ op: "set" as const, prop })),
    new Set([caldav("supported-calendar-component-set")]),
  );
  if (compProp && plan.ok) {
    try {
      components = componentSet(compProp);
    } catch (e) {
      if (!(e instanceof DavError)) throw e;
      plan.ok = false;
      for (const o of plan.outcomes) {
        if (o.name === compProp.name) Object.assign(o, { status: e.status, error: e.condition });
        else if (o.status === 200) o.status = 424;
      }
    }
  }
  if (!plan.ok) {
    const root = method === "MKCALENDAR" ? caldav("mkcalendar-response") : dav("mkcol-response");
    const groups = groupByStatus(plan.outcomes.map((o) => ({ prop: el(o.name), status: o.status, ...(o.error ? { error: o.error } : {}) })));
    return xmlResponse(403, el(root, propstats(groups)));
  }

  const props = applyChanges({}, plan.changes.filter((c) => c.name !== caldav("supported-calendar-component-set")));
  const created = await ctx.home(owner.id).createCollection({ name: loc.collection, kind: "calendar", components, props });
  if (!created.ok && created.error.status === 405) throw exists(method);
  unwrap(created);
  return new Response(null, { status: 201, headers: { Location: draft.href, "Cache-Control": "no-cache" } });
}

function exists(method: "MKCALENDAR" | "MKCOL"): DavError {
  return method === "MKCALENDAR"
    ? precondition(403, C.resourceMustBeNull, "a resource already exists at this URL")
    : new DavError(405, { description: "a resource already exists at this URL", headers: { Allow: "OPTIONS, GET, HEAD, DELETE, PROPFIND, PROPPATCH, REPORT" } });
}
