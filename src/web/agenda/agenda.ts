// The web page's agenda (issue 11 item 7): the coming days across the
// person's calendars, in their timezone. One round trip to their home (every
// calendar's index candidates with bodies and the principal's properties,
// home/agenda.ts), bodies the home left out read as reports read them
// (dav/get.ts readBodies), then the pure model (core/agenda/agenda.ts)
// object by object within the request's expansion budget
// (core/query/budget.ts), so no rule can stall the page or other requests.
import type ICAL from "ical.js";
import { agendaWindow, layoutDays, MAX_ITEMS, objectItems, parseDate, today, type Agenda, type AgendaItem, type CalendarRef } from "../../core/agenda/agenda.js";
import { badRequest } from "../../core/errors.js";
import { parseStoredOrNothing } from "../../core/ical/parse.js";
import { DAY_MS } from "../../core/ical/time.js";
import { ianaTimezone } from "../../core/ical/timezones.js";
import type { CollectionInfo, Principal } from "../../core/model.js";
import { hrefs } from "../../core/paths.js";
import { personalZoneName } from "../../core/props/personal.js";
import { RequestBudget } from "../../core/query/budget.js";
import { normAddress } from "../../core/schedule/calendar.js";
import { dav, ical } from "../../core/xml/names.js";
import { textOf } from "../../core/xml/tree.js";
import { DavContext } from "../../dav/context.js";
import { readBodies } from "../../dav/get.js";

/** Days the agenda shows unless asked otherwise. */
export const DEFAULT_DAYS = 14;
/** Instances one object may show in one agenda; a set with more in the window is listed as skipped. */
const PER_OBJECT = 500;
/** Bodies read and expanded at a time. */
const SLICE = 200;
/** The window the home is asked for is wider by this on each side: the person's zone is only known from its answer. */
const ZONE_SLACK_MS = 2 * DAY_MS;

export function calendarRef(c: CollectionInfo): CalendarRef {
  const name = c.props[dav("displayname")];
  const color = c.props[ical("calendar-color")];
  return { name: c.name, displayName: (name && textOf(name).trim()) || c.name, color: color ? textOf(color).trim() || null : null };
}

/** The zone of an IANA name; the caller validated it (props/personal.ts knownZoneName). */
export const zoneOf = (name: string): ICAL.Timezone => ianaTimezone(name) ?? ianaTimezone("UTC")!;

export interface AgendaRequest {
  /** "YYYY-MM-DD" of the first day; today in the zone when absent. */
  from?: string | undefined;
  days?: number | undefined;
  /** An IANA zone name overriding the person's setting (validated by the caller). */
  zone?: string | undefined;
  now?: number | undefined;
}

/** The person's agenda. A bad `from` is a 400. */
export async function agenda(env: Env, user: Principal, req: AgendaRequest = {}): Promise<Agenda> {
  const now = req.now ?? Date.now();
  const days = req.days ?? DEFAULT_DAYS;
  const asked = req.from === undefined ? null : parseDate(req.from);
  if (req.from !== undefined && !asked) throw badRequest("from takes a date YYYY-MM-DD");
  // The first day in UTC, then widened: whatever the person's zone, its window lies inside.
  const roughStart = (asked ? Date.UTC(asked.year, asked.month - 1, asked.day) : now) - ZONE_SLACK_MS;
  const ctx = new DavContext(env, user);
  const read = await ctx.home(user.id).agenda({ components: ["VEVENT"], start: roughStart, end: roughStart + (days + 1) * DAY_MS + 2 * ZONE_SLACK_MS });

  const zoneName = req.zone ?? personalZoneName(read.principalProps) ?? "UTC";
  const zone = zoneOf(zoneName);
  const window = agendaWindow(asked ?? today(now, zone), days, zone);
  const addresses = new Set(user.addresses.map(normAddress));
  const budget = new RequestBudget();
  const items: AgendaItem[] = [];
  const skipped: Agenda["skipped"] = [];
  let truncated = false;
  for (const { collection, candidates } of read.found) {
    const calendar = calendarRef(collection);
    // In slices, so that an agenda already full reads no more bodies.
    for (let k = 0; k < candidates.length && !truncated; k += SLICE) {
      for (const { object, text } of await readBodies(ctx, user.id, candidates.slice(k, k + SLICE))) {
        const href = hrefs.object(user.id, collection.name, object.name);
        let summary = object.name;
        const r = await budget.object(() => {
          const obj = parseStoredOrNothing(text);
          if (!obj) return null;
          summary = String(obj.master?.comp.getFirstPropertyValue("summary") ?? obj.overrides[0]?.comp.getFirstPropertyValue("summary") ?? summary);
          return objectItems(obj, window, zone, { href, calendar, addresses }, PER_OBJECT);
        });
        if (r?.value === null) continue; // no longer parses: holds nothing (as for queries)
        if (!r || !r.value.complete) {
          skipped.push({ href, summary });
          continue;
        }
        if (items.length + r.value.items.length > MAX_ITEMS) {
          truncated = true;
          break;
        }
        items.push(...r.value.items);
      }
    }
  }
  return { zone: zoneName, days: layoutDays(window, items, zone), skipped, truncated };
}
