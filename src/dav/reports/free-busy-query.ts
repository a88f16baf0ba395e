// CALDAV:free-busy-query (RFC 4791 section 7.10): the calendar's busy time
// in a range as one VFREEBUSY, merged and typed (BUSY, BUSY-TENTATIVE,
// BUSY-UNAVAILABLE). Transparent and cancelled events don't count, nor does
// a calendar whose schedule-calendar-transp is transparent (RFC 6638 §9.1).
// The home answers from its index for the events it describes exactly
// (home/calendar-busy.ts); only the others' bodies are read and expanded.
// Busy time is found object by object within the request's expansion budget
// (core/query/budget.ts); past it, or past one object's bounds, the answer is
// 403 DAV:number-of-matches-within-limits (§7.10's postcondition), never
// the busy time found so far.
import { badRequest, DavError } from "../../core/errors.js";
import { parseStoredOrNothing } from "../../core/ical/parse.js";
import { RequestBudget } from "../../core/query/budget.js";
import { checkRangeLimits, parseTimeRange } from "../../core/query/filter.js";
import { busyPeriods, mergePeriods, renderFreeBusy, type Period } from "../../core/query/freebusy.js";
import type { CollectionInfo, ObjectInfo } from "../../core/model.js";
import type { ReportTarget } from "./table.js";
import { caldav } from "../../core/xml/names.js";
import { child, type XmlElement } from "../../core/xml/tree.js";
import { requirePrivilege } from "../../core/acl.js";
import type { DavContext, DavRequest } from "../context.js";
import { readBodies } from "../get.js";
import { calendarZone, isTransparent } from "../../core/calendar-props.js";
import { dataOf } from "../shared.js";

/** Busy periods of candidates of one calendar in [start, end), from their bodies (those not sent along read in batches). */
export async function calendarBusy(ctx: DavContext, owner: string, collection: CollectionInfo, candidates: ObjectInfo[], range: { start: number; end: number }): Promise<Period[]> {
  if (collection.kind !== "calendar" || isTransparent(collection.props)) return [];
  const zone = calendarZone(collection.props);
  const budget = new RequestBudget();
  const texts = await readBodies(ctx, owner, candidates);
  const periods: Period[] = [];
  for (const { text } of texts) {
    periods.push(...(await budget.must("free-busy-query", () => {
      const obj = parseStoredOrNothing(text);
      return obj ? busyPeriods(obj, range, zone) : [];
    })));
  }
  return periods;
}


export async function freeBusyQuery(doc: XmlElement, at: ReportTarget, _req: DavRequest, ctx: DavContext): Promise<Response> {
  // §7.10 defines no precondition for a bad time-range (valid-filter is calendar-query's): it is a plain 400.
  const tr = child(doc, caldav("time-range"));
  if (!tr) throw badRequest("free-busy-query needs a CALDAV:time-range (RFC 4791 §7.10)");
  const parsed = parseTimeRange(tr, badRequest);
  if (parsed.start === null || parsed.end === null) throw badRequest("free-busy-query needs both start and end");
  checkRangeLimits([parsed], ctx.limits);
  const range = { start: parsed.start, end: parsed.end };
  const { resource: target, result } = await at.resolve({ kind: "busy", range });
  if (target.kind !== "calendar") throw new DavError(403, { description: "free-busy-query runs on a calendar collection" });
  requirePrivilege(ctx.user, target, caldav("read-free-busy"));
  // The home answers from its index what it describes exactly; the rest is expanded here from the bodies.
  const indexed = result.kind === "busy" ? result : { periods: [], rest: [] };
  const periods = mergePeriods([...indexed.periods, ...(await calendarBusy(ctx, dataOf(target.owner.id, target.collection).home, target.collection, indexed.rest, range))]);
  return new Response(renderFreeBusy(periods, range, {}), { status: 200, headers: { "Content-Type": "text/calendar; charset=utf-8" } });
}
