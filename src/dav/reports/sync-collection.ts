// DAV:sync-collection (RFC 6578 section 3): the members of a calendar that
// changed since a token, deletions as 404 responses, the Depth header read as
// absent (DAV:sync-level decides, as §3.3 intends), DAV:limit honoured by
// truncating with a 507 response for the collection and a continuation
// token (section 3.6). Answered from the home's index; bodies are read only
// when calendar-data is asked for.
import { badRequest } from "../../core/errors.js";
import { memberHref } from "../../core/paths.js";
import { tokenText } from "../../core/sync.js";
import type { ReportTarget } from "./table.js";
import { MultistatusText } from "../../core/xml/multistatus.js";
import { dav } from "../../core/xml/names.js";
import { parsePropSelection, requestedCalendarData } from "../../core/xml/requests.js";
import { child, el, textOf, type XmlElement } from "../../core/xml/tree.js";
import { xmlResponse } from "../../http/render.js";
import type { DavContext, DavRequest } from "../context.js";
import { unpackObjects } from "../../core/wire.js";
import { parseDepth, wantsMinimal } from "../propfind.js";
import { objectResponses } from "./objects.js";
import { calendarZone } from "../../core/calendar-props.js";

/** The most changes one response carries; more are sent as a truncated result with a continuation token. */
export const SERVER_SYNC_LIMIT = 50_000;

export function parseLimit(doc: XmlElement): number {
  const limit = child(doc, dav("limit"));
  const n = limit && child(limit, dav("nresults"));
  if (!n) return SERVER_SYNC_LIMIT;
  const text = textOf(n).trim();
  if (!/^\d+$/.test(text) || /^0+$/.test(text)) throw badRequest("DAV:nresults must be a positive integer");
  // Any larger request is answered in pages of the server's own limit (RFC 6578 §3.6).
  return text.length > 9 ? SERVER_SYNC_LIMIT : Math.min(Number(text), SERVER_SYNC_LIMIT);
}

export async function syncCollection(doc: XmlElement, at: ReportTarget, req: DavRequest, ctx: DavContext): Promise<Response> {
  // RFC 6578 §3.2 asks for Depth: 0 and lets DAV:sync-level say how deep; clients (python-caldav) send Depth: 1.
  // Nothing is at risk, so any valid Depth is read as absent and the sync-level decides.
  parseDepth(req.headers.get("depth"), "0");
  const tokenEl = child(doc, dav("sync-token"));
  if (!tokenEl) throw badRequest("DAV:sync-token is required");
  const level = child(doc, dav("sync-level"));
  const levelText = level ? textOf(level).trim() : "1";
  if (levelText !== "1" && levelText !== "infinite") throw badRequest("DAV:sync-level must be 1 or infinite");
  const limit = parseLimit(doc);

  // A calendar has no member collections, so level "infinite" is the same as 1.
  const calendarData = requestedCalendarData(doc);
  // One round trip: the calendar and its changes (with the bodies beside them when calendar-data is asked for).
  const { resource: target, result } = await at.resolve({ kind: "changes", token: tokenText(textOf(tokenEl)), limit, withBodies: calendarData !== undefined });
  if (target.kind !== "calendar" && target.kind !== "inbox" || result.kind !== "changes") throw badRequest("sync-collection runs on a calendar");
  const set = result.changes;
  const out = new MultistatusText();
  await objectResponses(target.owner, set.collection, unpackObjects(set.changed), {
    props: parsePropSelection(doc),
    calendarData,
    minimal: wantsMinimal(req.headers),
  }, ctx, out, { zone: calendarZone(set.collection.props) });
  const hrefOf = memberHref(target.owner.id, set.collection.name);
  for (const name of set.deleted) out.status(hrefOf(name), 404);
  if (set.truncated) out.status(target.href, 507, el(dav("number-of-matches-within-limits")));
  return xmlResponse(207, out.text([el(dav("sync-token"), [set.token])]));
}
