// How scheduling names the zone of a recurrence set (schedule/fingerprint.ts:
// a set moved to other rules is a reschedule, RFC 6638 §3.2.8, RFC 5546
// §2.1.4). The registry key names a zone (timezones.ts), and an object's own
// definition of an IANA name gets a key of its own when its rules differ from
// the IANA zone's anywhere (RFC 5545 §3.6.5). Clients write different
// definitions of one zone that differ only in history (Apple's Europe/Berlin
// starts in 1981, libical's in 1970): for scheduling such a definition is the
// IANA zone when it gives the same offsets from the year the set starts in
// on, so saving a meeting from another client is no reschedule, and meetings
// keep the name they had before definitions governed.
import ICAL from "ical.js";
import { definedName, hashText } from "./defined-zones.js";
import { utcMs } from "./time.js";
import { ianaTimezone, isIanaName } from "./timezones.js";

type Timezone = ICAL.Timezone;

/** Per zone: year → offsetsFrom() of that year (a few years per zone in practice; cleared when full). */
const fromYear = new WeakMap<Timezone, Map<number, string>>();
const FAR_YEAR = 2100;

/**
 * A zone's offsets from the start of `year` on, as a hash: the offset in
 * effect then and every change after it up to FAR_YEAR (later years repeat
 * 2072-2099, see vtimezone.ts guardFarFuture). Equal for two zones that give
 * every instant from then on the same offset.
 */
function offsetsFrom(zone: Timezone, year: number): string {
  if (zone === ICAL.Timezone.utcTimezone) return hashText("0|");
  let cache = fromYear.get(zone);
  if (!cache) fromYear.set(zone, (cache = new Map()));
  const hit = cache.get(year);
  if (hit !== undefined) return hit;
  zone._ensureCoverage(FAR_YEAR - 1); // custom zones are complete already; IANA zones are trusted data
  const startMs = utcMs(year, 1, 1) - 14 * 3_600_000;
  let start = 0; // ical.js's offset before a zone's first change
  let offset = 0;
  const changes: string[] = [];
  for (const c of zone.changes as { year: number; month: number; day: number; hour: number; minute: number; second: number; utcOffset: number; is_daylight: boolean }[]) {
    if (c.year >= FAR_YEAR) break;
    const ms = utcMs(c.year, c.month, c.day, c.hour, c.minute, c.second);
    if (ms <= startMs) start = c.utcOffset;
    else if (c.utcOffset !== offset) changes.push(`${ms}:${c.utcOffset}:${c.is_daylight ? 1 : 0}`); // a change to the offset in effect changes nothing
    offset = c.utcOffset;
  }
  const key = hashText(`${start}|${changes.join(",")}`);
  if (cache.size >= 64) cache.clear();
  cache.set(year, key);
  return key;
}

/**
 * How scheduling names the zone of a recurrence set that starts at `from`
 * (schedule/fingerprint.ts: a set moved to other rules is a reschedule, RFC
 * 6638 §3.2.8): its registry key, except that an object's own definition of
 * an IANA or UTC name is named like that shared zone when it gives the same
 * offsets from `from`'s year on. So saving a meeting from a client whose
 * Europe/Berlin differs from another client's only in years before the
 * series began is no reschedule, and such meetings keep the name they had
 * before definitions governed.
 */
export function zoneIdentity(zone: Timezone | null | undefined, from: ICAL.Time): string {
  const own = zone ? definedName(zone) : undefined;
  if (!zone || own === undefined) return zone?.tzid ?? "floating";
  const shared = isIanaName(own) ? ianaTimezone(own) : null;
  if (!shared) return zone.tzid;
  return offsetsFrom(zone, from.year) === offsetsFrom(shared, from.year) ? shared.tzid : zone.tzid;
}
