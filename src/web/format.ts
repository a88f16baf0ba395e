// How the page writes times: in the person's timezone when they chose one on
// the agenda page (props/personal.ts), else in UTC; the zone is always named
// (ISO 8601 date and time to the minute).

const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(zone: string): Intl.DateTimeFormat {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", {
      timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    });
    // Zones come from the server's own list (knownZoneName), so this map stays small.
    if (formats.size < 1000) formats.set(zone, f);
  }
  return f;
}

export function when(ms: number | null | undefined, zone: string | null = null, never = "never"): string {
  if (ms === null || ms === undefined) return never;
  if (!zone) return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
  const parts = Object.fromEntries(formatFor(zone).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${zone}`;
}
