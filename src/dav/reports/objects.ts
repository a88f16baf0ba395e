// Multistatus responses for calendar object resources returned by reports:
// table properties plus CALDAV:calendar-data (RFC 4791 section 9.6), with
// bodies read from R2 concurrently and with a bound, unless already read.
// Partial calendar data (expand, limit-recurrence-set) is made object by
// object within the request's expansion budget (core/query/budget.ts).
import type ICAL from "ical.js";
import type { ParsedCalendar } from "../../core/ical/parse.js";
import type { CollectionInfo, ObjectInfo, Principal } from "../../core/model.js";
import { memberHref } from "../../core/paths.js";
import type { Resource } from "../../core/props/types.js";
import { RequestBudget } from "../../core/query/budget.js";
import { parseCalendarDataRequest, renderCalendarData, selectsWholeObject } from "../../core/query/calendar-data.js";
import type { MultistatusText } from "../../core/xml/multistatus.js";
import { caldav } from "../../core/xml/names.js";
import type { PropfindRequest } from "../../core/xml/requests.js";
import { el, type XmlElement } from "../../core/xml/tree.js";
import type { DavContext } from "../context.js";
import { readBodies } from "../get.js";
import { propGroups } from "../propfind.js";
import { bodyView, dataOf } from "../shared.js";

const CALENDAR_DATA = caldav("calendar-data");

export interface ObjectSelection {
  props: PropfindRequest;
  /** Set when calendar-data was asked for; its children select parts (RFC 4791 section 9.6). */
  calendarData?: XmlElement | undefined;
  minimal: boolean;
}

export interface Prefetched {
  /** Bodies already read, by object name. */
  bodies?: Map<string, string>;
  /** Bodies already parsed, by object name. */
  parsed?: Map<string, ParsedCalendar>;
  /** Zone for floating times in expand / limit-recurrence-set. */
  zone?: ICAL.Timezone | null;
  /** The request's expansion budget, if it has spent some already. */
  budget?: RequestBudget;
}

export async function objectResponses(
  owner: Principal,
  collection: CollectionInfo,
  objects: ObjectInfo[],
  sel: ObjectSelection,
  ctx: DavContext,
  out: MultistatusText,
  pre: Prefetched = {},
): Promise<void> {
  const dataReq = sel.calendarData ? parseCalendarDataRequest(sel.calendarData) : undefined;
  const bodies = dataReq
    ? await readBodies(ctx, dataOf(owner.id, collection).home, objects.map((o) => {
        const known = pre.bodies?.get(o.name);
        return known !== undefined && o.body === undefined ? { ...o, body: known } : o;
      }))
    : undefined;
  const props = sel.props.type === "prop" ? { ...sel.props, names: sel.props.names.filter((n) => n !== CALENDAR_DATA) } : sel.props;
  const budget = pre.budget ?? new RequestBudget();
  const view = bodyView(collection);
  const hrefOf = memberHref(owner.id, collection.name);
  for (const [i, o] of objects.entries()) {
    const object = bodies?.[i]?.object ?? o;
    const r: Resource = { kind: "object", href: hrefOf(object.name), owner, collection, object };
    const groups = propGroups(r, props, ctx, sel.minimal);
    if (bodies && dataReq) {
      const stored = bodies[i]!.text;
      const text = view(stored);
      // A parse of the stored body is no parse of the busy-only one a read-only sharee sees.
      const parsed = text === stored ? pre.parsed?.get(object.name) : undefined;
      const render = () => renderCalendarData(text, parsed, dataReq, pre.zone ?? null);
      const data = selectsWholeObject(dataReq) ? text : await budget.must("calendar-data", render);
      groups[0]!.props.push(el(CALENDAR_DATA, [data]));
    }
    out.propstat(r.href, groups);
  }
}
