// Multistatus responses for calendar object resources returned by reports:
// table properties plus CALDAV:calendar-data (RFC 4791 section 9.6), with
// bodies read from R2 concurrently and with a bound.
import { mapLimit } from "../../core/async.js";
import type { CollectionInfo, ObjectInfo, Principal } from "../../core/model.js";
import { hrefs } from "../../core/paths.js";
import type { Resource } from "../../core/props/types.js";
import { groupByStatus, propstatResponse } from "../../core/xml/multistatus.js";
import { caldav } from "../../core/xml/names.js";
import type { PropfindRequest } from "../../core/xml/requests.js";
import { el, type XmlElement } from "../../core/xml/tree.js";
import { findProps } from "../../core/props/table.js";
import type { DavContext } from "../context.js";
import { readBody } from "../get.js";

const CALENDAR_DATA = caldav("calendar-data");
export const BODY_CONCURRENCY = 6;

export interface ObjectSelection {
  props: PropfindRequest;
  /** Set when calendar-data was asked for; its children select parts (RFC 4791 section 9.6). */
  calendarData?: XmlElement | undefined;
  minimal: boolean;
}

export async function objectResponses(
  owner: Principal,
  collection: CollectionInfo,
  objects: ObjectInfo[],
  sel: ObjectSelection,
  ctx: DavContext,
  transform: (text: string, object: ObjectInfo) => string = (t) => t,
): Promise<XmlElement[]> {
  const wantsData = sel.calendarData !== undefined;
  const bodies = wantsData ? await mapLimit(objects, BODY_CONCURRENCY, (o) => readBody(ctx, owner.id, o)) : undefined;
  return objects.map((o, i) => {
    const object = bodies?.[i]?.object ?? o;
    const r: Resource = { kind: "object", href: hrefs.object(owner.id, collection.name, object.name), owner, collection, object };
    const props = sel.props.type === "prop" ? { ...sel.props, names: sel.props.names.filter((n) => n !== CALENDAR_DATA) } : sel.props;
    const entries = findProps(r, props, ctx.props)
      .filter((v) => !(sel.minimal && v.value === undefined))
      .map((v) => ({ prop: v.value ?? el(v.name), status: v.value === undefined ? 404 : 200 }));
    if (bodies) entries.push({ prop: el(CALENDAR_DATA, [transform(bodies[i]!.text, object)]), status: 200 });
    return propstatResponse(r.href, groupByStatus(entries));
  });
}
