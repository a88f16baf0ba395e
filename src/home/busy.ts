// Busy time of a whole calendar home from its own index (calendar-busy.ts),
// reading bodies only for what the index cannot describe: every
// calendar that is not transparent (RFC 6638 §9.1 schedule-calendar-transp),
// events that are not TRANSP:TRANSPARENT or CANCELLED (RFC 4791 §7.10).
// Used by rooms deciding on invitations and by outbox free-busy requests.
// It runs inside the home's Durable Object, object by object within one
// request's expansion budget (core/query/budget.ts), with the event loop
// turning in between, so the home serves other calls meanwhile. When the
// budget runs out the busy time is unknown: the answer is then one period
// over the whole range marked `unknown` (a room declines; an outbox POST
// answers that recipient 5.1).
import { mapLimit } from "../core/async.js";
import { calendarZone, isTransparent } from "../core/calendar-props.js";
import { parseStoredOrNothing } from "../core/ical/parse.js";
import { isTooLong, RequestBudget } from "../core/query/budget.js";
import { busyPeriods, type Period } from "../core/query/freebusy.js";
import { calendarBusyFromIndex } from "./calendar-busy.js";
import type { ScheduleSnapshot } from "../core/schedule/index.js";
import { objectRow, readProps, scopes, type CollectionRow } from "./rows.js";
import { rowBody } from "./bodies.js";
import type { Sql } from "../sql.js";

export type BusyPeriod = Period;

/** An invitation the owner declined in every instance takes no time (as for rooms deciding on the next one). */
function declinedByOwner(snapshot: string | null, owner: ReadonlySet<string>): boolean {
  if (!snapshot || owner.size === 0) return false;
  const snap = JSON.parse(snapshot) as ScheduleSnapshot;
  if (snap.organizer && owner.has(snap.organizer)) return false;
  const mine = snap.instances.map((i) => i.attendees.find((a) => owner.has(a.address)));
  return mine.length > 0 && mine.every((a) => a?.partstat.toUpperCase() === "DECLINED");
}

/** Busy periods in [start, end) over the home's opaque calendars, leaving out the objects with `excludeUid`. */
export async function homeBusy(
  sql: Sql,
  bodies: R2Bucket,
  range: { start: number; end: number },
  opts: { excludeUid?: string; ownerAddresses?: readonly string[] } = {},
): Promise<Period[]> {
  const owner = new Set(opts.ownerAddresses ?? []);
  const cols = sql.all<CollectionRow>("SELECT * FROM collections WHERE kind = 'calendar'")
    .map((col) => ({ col, props: readProps(sql, scopes.collection(col.id)) }))
    .filter((c) => !isTransparent(c.props));
  const found = cols.map(({ col, props }) => ({
    col, zone: calendarZone(props),
    ...calendarBusyFromIndex(sql, col, range, (c) => c.uid !== opts.excludeUid && !declinedByOwner(c.snapshot, owner)),
  }));
  const work = found.flatMap(({ col, zone, rest }) => rest.map((candidate) => ({ candidate, col, zone })));
  const budget = new RequestBudget();
  let unknown = false;
  const periods = await mapLimit(work, 6, async (w): Promise<Period[]> => {
    if (unknown) return [];
    const row = w.candidate.body === undefined ? objectRow(sql, w.col.id, w.candidate.name) : undefined;
    const text = w.candidate.body ?? (row ? await rowBody(bodies, row) : null);
    if (text === null) return [];
    try {
      const r = await budget.object(() => {
        const obj = parseStoredOrNothing(text);
        return obj ? busyPeriods(obj, range, w.zone) : [];
      });
      if (r) return r.value;
    } catch (e) {
      if (!isTooLong(e)) throw e;
    }
    unknown = true;
    return [];
  });
  if (unknown) return [{ start: range.start, end: range.end, type: "BUSY-UNAVAILABLE", unknown: true }];
  return [...found.flatMap((f) => f.periods), ...periods.flat()];
}

