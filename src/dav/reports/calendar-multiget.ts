// CALDAV:calendar-multiget (RFC 4791 section 7.9): the named objects of the
// target calendar in one multistatus; each href that names nothing there
// gets its own 404 response.
import { unpackObjects } from "../../core/wire.js";
import { hrefs, locateHref, plainMember } from "../../core/paths.js";
import { MultistatusText } from "../../core/xml/multistatus.js";
import { hrefsOf, parsePropSelection, requestedCalendarData } from "../../core/xml/requests.js";
import type { XmlElement } from "../../core/xml/tree.js";
import { badRequest } from "../../core/errors.js";
import { xmlResponse } from "../../http/render.js";
import type { DavContext, DavRequest } from "../context.js";
import { wantsMinimal } from "../propfind.js";
import { objectResponses } from "./objects.js";
import type { ReportTarget } from "./table.js";
import { calendarZone } from "../../core/calendar-props.js";
import { dataOf } from "../shared.js";

export async function calendarMultiget(doc: XmlElement, at: ReportTarget, req: DavRequest, ctx: DavContext): Promise<Response> {
  const requested = hrefsOf(doc);
  if (requested.length === 0) throw badRequest("calendar-multiget needs at least one DAV:href");
  const calendarData = requestedCalendarData(doc);
  // The hrefs that name members of the target's calendar; the rest are 404 (they name nothing there).
  const here = at.loc.kind === "collection" || at.loc.kind === "object" ? at.loc : null;
  const names = new Map<string, string>(); // object name → the href as the client sent it
  const missing: string[] = [];
  // Most hrefs are the calendar's own path and a plain name, as its listing wrote them.
  const prefix = here?.kind === "collection" ? hrefs.collection(here.user, here.collection) : undefined;
  for (const href of requested) {
    const plain = prefix === undefined ? undefined : plainMember(href, prefix);
    if (plain !== undefined) {
      names.set(plain, href);
      continue;
    }
    const loc = locateHref(href, req.url);
    if (here && loc.kind === "object" && loc.user === here.user && loc.collection === here.collection) names.set(loc.name, href);
    else missing.push(href);
  }
  // One round trip: the calendar, its named rows and, when calendar-data is asked for, the bodies beside them.
  const { resource: target, result } = await at.resolve({ kind: "objects", names: [...names.keys()], withBodies: calendarData !== undefined });
  if (target.kind !== "calendar" && target.kind !== "inbox" && target.kind !== "object") throw badRequest("not a calendar");
  const owner = target.owner;
  const found = result.kind === "objects"
    ? { collection: target.collection, objects: unpackObjects(result.objects) }
    : await ctx.home(dataOf(owner.id, target.collection).home).objects(dataOf(owner.id, target.collection).collection, [...names.keys()], calendarData !== undefined);
  const objects = found?.objects ?? [];
  const present = new Set(objects.map((o) => o.name));
  for (const [name, href] of names) if (!present.has(name)) missing.push(href);
  const out = new MultistatusText();
  if (found)
    await objectResponses(owner, found.collection, objects, {
      props: parsePropSelection(doc),
      calendarData,
      minimal: wantsMinimal(req.headers),
    }, ctx, out, { zone: calendarZone(found.collection.props) });
  for (const h of missing) out.status(h, 404);
  return xmlResponse(207, out.text());
}
