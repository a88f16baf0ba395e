// CALDAV:calendar-query (RFC 4791 section 7.8): candidates from the home's
// index, bodies read (concurrently, bounded) only for rows the index cannot
// decide or whose calendar-data is asked for, then the exact matcher.
// Floating times are read in the query's timezone, else the calendar's.
// Matching and calendar-data run object by object within the request's
// expansion budget (core/query/budget.ts); past it, or past one object's
// bounds, the answer is 403 DAV:number-of-matches-within-limits (§7.8).
import { badRequest, C, DavError, precondition } from "../../core/errors.js";
import { calendarTimezoneZone } from "../../core/ical/calendar-timezone.js";
import { calendarZone } from "../../core/calendar-props.js";
import { parseStoredOrNothing, type ParsedCalendar } from "../../core/ical/parse.js";
import { ianaTimezone } from "../../core/ical/timezones.js";
import type { CollectionInfo } from "../../core/model.js";
import { parseCalendarDataRequest, type CalendarDataRequest } from "../../core/query/calendar-data.js";
import { checkRangeLimits, invalidFilter, parseFilter, timeRangesOf, type TimeRange } from "../../core/query/filter.js";
import { matchFilter } from "../../core/query/match.js";
import { RequestBudget } from "../../core/query/budget.js";
import { decideFromIndex, planQuery } from "../../core/query/prefilter.js";
import { MultistatusText } from "../../core/xml/multistatus.js";
import { caldav } from "../../core/xml/names.js";
import { parsePropSelection, requestedCalendarData } from "../../core/xml/requests.js";
import { child, textOf, type XmlElement } from "../../core/xml/tree.js";
import { xmlResponse } from "../../http/render.js";
import type { DavContext, DavRequest } from "../context.js";
import { readBodies } from "../get.js";
import { parseDepth, wantsMinimal } from "../propfind.js";
import { objectResponses } from "./objects.js";
import type { ReportTarget } from "./table.js";
import type ICAL from "ical.js";
import { bodyView, dataOf } from "../shared.js";

/** The zone floating times are read in: the query's timezone (RFC 4791 §9.8), timezone-id (RFC 7809), or the calendar's. */
export function queryZone(doc: XmlElement, collection: CollectionInfo): ICAL.Timezone | null {
  const tz = child(doc, caldav("timezone"));
  if (tz) {
    try {
      return calendarTimezoneZone(textOf(tz));
    } catch (e) {
      // RFC 4791 §7.8: the timezone element must hold a valid VCALENDAR with one VTIMEZONE.
      throw precondition(403, C.validCalendarData, `CALDAV:timezone: ${e instanceof Error ? e.message : "invalid"}`);
    }
  }
  const tzid = child(doc, caldav("timezone-id"));
  if (tzid) {
    const zone = ianaTimezone(textOf(tzid).trim());
    if (!zone) throw invalidFilter(`unknown timezone-id ${textOf(tzid).trim()}`);
    return zone;
  }
  return calendarZone(collection.props);
}


export async function calendarQuery(doc: XmlElement, at: ReportTarget, req: DavRequest, ctx: DavContext): Promise<Response> {
  const filterEl = child(doc, caldav("filter"));
  if (!filterEl) throw invalidFilter("calendar-query needs a CALDAV:filter");
  const filter = parseFilter(filterEl);
  const dataEl = requestedCalendarData(doc);
  const dataReq: CalendarDataRequest | undefined = dataEl ? parseCalendarDataRequest(dataEl) : undefined;
  checkRangeLimits([...timeRangesOf(filter), ...dataRanges(dataReq)], ctx.limits);
  // RFC 3253 §3.6 makes a missing Depth 0, which on a collection can only ever match nothing (a collection is no
  // calendar object): no client means that, so a collection without a Depth header is queried as Depth: 1.
  // An explicit Depth: 0 keeps its meaning (RFC 4791 §7.8).
  const onObject = at.loc.kind === "object";
  const depth = parseDepth(req.headers.get("depth"), onObject ? "0" : "1");
  const plan = planQuery(filter);
  const members = onObject || depth !== "0";
  // One round trip: the calendar and the candidates with the bodies the matcher and the calendar-data need (home/query.ts).
  const q = { components: plan.components, start: plan.start, end: plan.end };
  const selection = { plan, withData: dataReq !== undefined };
  const { resource: target, result } = await at.resolve(members && !onObject ? { kind: "query", q, bodies: selection } : { kind: "none" });
  if (target.kind !== "calendar" && target.kind !== "inbox" && target.kind !== "object") throw badRequest("calendar-query runs on a calendar");
  const zone = queryZone(doc, target.collection);
  if (!members) return xmlResponse(207, new MultistatusText().text());
  const found = result.kind === "query"
    ? { collection: target.collection, candidates: result.candidates }
    : await ctx.home(dataOf(target.owner.id, target.collection).home).query(dataOf(target.owner.id, target.collection).collection, q, selection);
  if (!found) throw new DavError(404, { description: "no such calendar" });
  let candidates = found.candidates;
  if (target.kind === "object") candidates = candidates.filter((c) => c.name === target.object.name);

  const decided = candidates.map((c) => decideFromIndex(plan, c));
  const needBody = candidates.map((_, i) => decided[i] === undefined || (decided[i] === true && dataReq !== undefined));
  const wanted = candidates.filter((_, i) => needBody[i]);
  // Matched as the requester sees them: a read-only sharee's filters never see inside a private event.
  const view = bodyView(target.collection);
  const read = new Map((await readBodies(ctx, dataOf(target.owner.id, target.collection).home, wanted)).map((b) => [b.object.name, { ...b, text: view(b.text) }]));
  const texts = candidates.map((c, i) => (needBody[i] ? read.get(c.name) : undefined));
  const parsed = new Map<string, ParsedCalendar>();
  const budget = new RequestBudget();
  const matches: typeof candidates = [];
  for (const [i, c] of candidates.entries()) {
    const hit = decided[i] ?? (await budget.must("calendar-query", () => {
      const obj = parseStoredOrNothing(texts[i]!.text);
      if (obj) parsed.set(c.name, obj);
      return obj !== undefined && matchFilter(obj, filter, zone);
    }));
    if (hit) matches.push(c);
  }

  const bodies = new Map(texts.filter((t) => t !== undefined).map((t) => [t.object.name, t.text]));
  const out = new MultistatusText();
  await objectResponses(
    target.owner,
    found.collection,
    matches,
    { props: parsePropSelection(doc), calendarData: dataEl, minimal: wantsMinimal(req.headers) },
    ctx,
    out,
    { bodies, parsed, zone, budget },
  );
  return xmlResponse(207, out.text());
}

/** The ranges calendar-data asks for (expand, limit-recurrence-set, limit-freebusy-set). */
export function dataRanges(req: CalendarDataRequest | undefined): TimeRange[] {
  if (!req) return [];
  return [req.expand, req.limitRecurrenceSet, req.limitFreebusySet].flatMap((r) => (r ? [{ start: r.start, end: r.end }] : []));
}

