// The benchmark's data: a deterministic (seeded) year of events, their
// iCalendar text, and the ground truth the checks compare against: every
// instance of every event as a UTC interval, computed here independently of
// the server (weekly rules expanded in local time, minus EXDATE, plus the
// RECURRENCE-ID override; local times converted with the platform's tz data).

export const YEAR = 2026;
const DAY = 86_400_000;
const MINUTE = 60_000;

/** mulberry32: small, fast, deterministic. */
export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)), // inclusive
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    shuffle(arr) {
      const a2 = [...arr];
      for (let i = a2.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [a2[i], a2[j]] = [a2[j], a2[i]];
      }
      return a2;
    },
  };
}

// ---- time zones ------------------------------------------------------------

export const ZONES = ["Europe/Berlin", "America/New_York"];

export const VTIMEZONES = {
  "Europe/Berlin": [
    "BEGIN:VTIMEZONE", "TZID:Europe/Berlin",
    "BEGIN:DAYLIGHT", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "TZNAME:CEST", "DTSTART:19700329T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT",
    "BEGIN:STANDARD", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "TZNAME:CET", "DTSTART:19701025T030000", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD",
    "END:VTIMEZONE",
  ],
  "America/New_York": [
    "BEGIN:VTIMEZONE", "TZID:America/New_York",
    "BEGIN:DAYLIGHT", "TZOFFSETFROM:-0500", "TZOFFSETTO:-0400", "TZNAME:EDT", "DTSTART:20070311T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "END:DAYLIGHT",
    "BEGIN:STANDARD", "TZOFFSETFROM:-0400", "TZOFFSETTO:-0500", "TZNAME:EST", "DTSTART:20071104T020000", "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", "END:STANDARD",
    "END:VTIMEZONE",
  ],
};

const formatters = new Map();
function offsetAt(utcMs, tz) {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: tz, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
    formatters.set(tz, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(utcMs)).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour % 24, +parts.minute, +parts.second);
  return asUtc - utcMs;
}

/** A wall-clock time (as a UTC-based ms value) in `tz` (null: UTC) → the UTC instant. Times in DST gaps are not generated. */
export function wallToUtc(wallMs, tz) {
  if (!tz) return wallMs;
  let t = wallMs - offsetAt(wallMs, tz);
  t = wallMs - offsetAt(t, tz);
  return t;
}

const pad = (n, w = 2) => String(n).padStart(w, "0");
/** Wall-clock ms → iCalendar DATE-TIME text (no Z). */
export function icsLocal(wallMs) {
  const d = new Date(wallMs);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}
export const icsUtc = (ms) => `${icsLocal(ms)}Z`;

/** iCalendar UTC DATE-TIME text → ms. */
export function parseIcsUtc(s) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return NaN;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}

// ---- events ------------------------------------------------------------------

/**
 * One generated event. kind: "single" (70%), "recurring" (20%: weekly,
 * COUNT 5..26, one EXDATE, one RECURRENCE-ID override moved by +2 h),
 * "meeting" (10%: ORGANIZER = the user and 3 ATTENDEEs). 30% carry a TZID
 * (Europe/Berlin or America/New_York) with an embedded VTIMEZONE, the rest
 * are UTC. Start: a day of YEAR, 07:00-19:45 wall clock, 30-120 minutes.
 */
export function makeEvent(rng, i, ctx) {
  const r = rng.next();
  const kind = r < 0.7 ? "single" : r < 0.9 ? "recurring" : "meeting";
  const tz = rng.next() < 0.3 ? rng.pick(ZONES) : null;
  const day = rng.int(0, 364);
  const wallStart = Date.UTC(YEAR, 0, 1) + day * DAY + rng.int(7, 19) * 3_600_000 + rng.pick([0, 15, 30, 45]) * MINUTE;
  const duration = rng.pick([30, 45, 60, 90, 120]);
  const ev = {
    i,
    name: `ev-${String(i).padStart(6, "0")}.ics`,
    uid: `bench-${ctx.tag}-${i}@bench.example`,
    kind,
    tz,
    wallStart,
    duration,
    summary: `Event ${i}`,
    sequence: 0,
  };
  if (kind === "recurring") {
    ev.count = rng.int(5, 26);
    ev.exIndex = rng.int(1, ev.count - 2);
    do ev.ovIndex = rng.int(1, ev.count - 1);
    while (ev.ovIndex === ev.exIndex);
    ev.ovShift = 120; // minutes
  }
  if (kind === "meeting") {
    ev.organizer = ctx.email;
    ev.attendees = [1, 2, 3].map((k) => `attendee${k}-${i % 97}@bench.example`);
  }
  return ev;
}

/** Every instance as { start, end } UTC ms (the override's moved time replaces its slot; the EXDATE slot is gone). */
export function instances(ev) {
  const len = ev.duration * MINUTE;
  if (ev.kind !== "recurring") {
    const s = wallToUtc(ev.wallStart, ev.tz);
    return [{ start: s, end: s + len }];
  }
  const out = [];
  for (let k = 0; k < ev.count; k++) {
    if (k === ev.exIndex) continue;
    let wall = ev.wallStart + 7 * k * DAY;
    if (k === ev.ovIndex) wall += ev.ovShift * MINUTE;
    const s = wallToUtc(wall, ev.tz);
    out.push({ start: s, end: s + len });
  }
  return out;
}

/** [start, end) overlaps [a, b) (RFC 4791 section 9.9 for a VEVENT with DTEND). */
export const overlaps = (iv, a, b) => iv.start < b && iv.end > a;

function fold(line) {
  if (line.length <= 75) return line;
  const parts = [line.slice(0, 75)];
  for (let k = 75; k < line.length; k += 74) parts.push(` ${line.slice(k, k + 74)}`);
  return parts.join("\r\n");
}

function dt(prop, wallMs, tz) {
  return tz ? `${prop};TZID=${tz}:${icsLocal(wallMs)}` : `${prop}:${icsUtc(wallMs)}`;
}

/** The iCalendar text of an event (CRLF, folded). */
export function toIcs(ev) {
  const L = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//edge-caldav//bench//EN", "CALSCALE:GREGORIAN"];
  if (ev.tz) L.push(...VTIMEZONES[ev.tz]);
  const len = ev.duration * MINUTE;
  const common = ["DTSTAMP:20260101T000000Z", `UID:${ev.uid}`, `SEQUENCE:${ev.sequence}`];
  L.push("BEGIN:VEVENT", ...common, dt("DTSTART", ev.wallStart, ev.tz), dt("DTEND", ev.wallStart + len, ev.tz), `SUMMARY:${ev.summary}`);
  if (ev.kind === "recurring") {
    L.push(`RRULE:FREQ=WEEKLY;COUNT=${ev.count}`, dt("EXDATE", ev.wallStart + 7 * ev.exIndex * DAY, ev.tz));
  }
  if (ev.kind === "meeting") {
    L.push(`ORGANIZER;CN=Bench Organizer:mailto:${ev.organizer}`);
    for (const a of ev.attendees) L.push(`ATTENDEE;CN=${a.split("@")[0]};PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:${a}`);
  }
  L.push("END:VEVENT");
  if (ev.kind === "recurring") {
    const orig = ev.wallStart + 7 * ev.ovIndex * DAY;
    const moved = orig + ev.ovShift * MINUTE;
    L.push("BEGIN:VEVENT", ...common, dt("RECURRENCE-ID", orig, ev.tz), dt("DTSTART", moved, ev.tz), dt("DTEND", moved + len, ev.tz), `SUMMARY:${ev.summary} (moved)`, "END:VEVENT");
  }
  L.push("END:VCALENDAR", "");
  return L.map(fold).join("\r\n");
}

// ---- reading iCalendar answers ---------------------------------------------

export const unfold = (text) => text.replace(/\r?\n[ \t]/g, "").split(/\r?\n/);

/** The first UID in a calendar object. */
export function uidOf(text) {
  for (const l of unfold(text)) if (l.startsWith("UID:")) return l.slice(4).trim();
  return undefined;
}

/** The VEVENTs of a calendar object as { uid, dtstart (raw value), dtstartParams, recurrenceId, rrule }. */
export function vevents(text) {
  const out = [];
  let cur = null;
  let depth = 0;
  for (const l of unfold(text)) {
    if (l === "BEGIN:VEVENT") {
      cur = { uid: undefined, dtstart: undefined, dtstartParams: "", recurrenceId: undefined, rrule: undefined };
      depth = 0;
      continue;
    }
    if (!cur) continue;
    if (l.startsWith("BEGIN:")) depth++;
    else if (l === "END:VEVENT" && depth === 0) {
      out.push(cur);
      cur = null;
    } else if (l.startsWith("END:")) depth--;
    else if (depth === 0) {
      const m = /^([A-Z-]+)((?:;[^:]*)?):(.*)$/.exec(l);
      if (!m) continue;
      const [, name, params, value] = m;
      if (name === "UID") cur.uid = value;
      else if (name === "DTSTART") {
        cur.dtstart = value;
        cur.dtstartParams = params;
      } else if (name === "RECURRENCE-ID") cur.recurrenceId = value;
      else if (name === "RRULE") cur.rrule = value;
    }
  }
  return out;
}

/** FREEBUSY periods of a VFREEBUSY answer: [{ start, end, fbtype }]. */
export function freeBusyPeriods(text) {
  const out = [];
  for (const l of unfold(text)) {
    const m = /^FREEBUSY((?:;[^:]*)?):(.*)$/.exec(l);
    if (!m) continue;
    const fbtype = /;FBTYPE=([^;:]+)/i.exec(m[1])?.[1]?.toUpperCase() ?? "BUSY";
    for (const p of m[2].split(",")) {
      const [a, b] = p.trim().split("/");
      const start = parseIcsUtc(a);
      const end = /^[+-]?P/.test(b) ? start + parseDuration(b) : parseIcsUtc(b);
      out.push({ start, end, fbtype, raw: p.trim() });
    }
  }
  return out;
}

function parseDuration(s) {
  const m = /^([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(s);
  if (!m) return NaN;
  const [, sign, w, d, h, mi, se] = m;
  const ms = ((+(w ?? 0) * 7 + +(d ?? 0)) * 86400 + +(h ?? 0) * 3600 + +(mi ?? 0) * 60 + +(se ?? 0)) * 1000;
  return sign === "-" ? -ms : ms;
}

/** Union of intervals, sorted and merged (touching intervals merge). */
export function union(intervals) {
  const s = intervals.filter((x) => x.end > x.start).map((x) => ({ start: x.start, end: x.end })).sort((a, b) => a.start - b.start);
  const out = [];
  for (const iv of s) {
    const last = out.at(-1);
    if (last && iv.start <= last.end) last.end = Math.max(last.end, iv.end);
    else out.push({ ...iv });
  }
  return out;
}

/** Is [start, end) inside one interval of a merged union? */
export function covered(iv, merged) {
  let lo = 0;
  let hi = merged.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const m = merged[mid];
    if (m.end <= iv.start) lo = mid + 1;
    else if (m.start > iv.start) hi = mid - 1;
    else return iv.end <= m.end;
  }
  return false;
}
