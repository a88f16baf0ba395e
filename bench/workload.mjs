// The benchmark's data: a deterministic (seeded) calendar of events at a
// constant density (about 1,000 events a year: N events over N/1,000 years,
// see spanOf), their iCalendar text, and the ground truth the checks compare
// against: every instance of every event as a UTC interval, computed here
// independently of the server (weekly rules expanded in local time, minus
// EXDATE, plus the RECURRENCE-ID override; local times converted with the
// platform's tz data). Also small readers for the answers (UIDs, VEVENTs,
// ATTENDEE parameters, FREEBUSY periods).

/** The first year of the span; every span starts on January 1st of it, 00:00 UTC. */
export const YEAR = 2026;
const DAY = 86_400_000;
const MINUTE = 60_000;
/** Events per 365.2425 days: N events are spread over N / EVENTS_PER_YEAR years. */
export const EVENTS_PER_YEAR = 1000;
/** The shortest span (days): the longest weekly series (COUNT 26) must fit in it. */
const MIN_SPAN_DAYS = 182;
export const COUNT_MIN = 8;
export const COUNT_MAX = 26;

/**
 * The time span of a calendar of `size` events: { start, end (ms, exclusive), days }.
 * 1,000 events: 2026 (365 days); 10,000: 2026-01-01..2036-01-01 (3,652 days).
 * Below ~500 events the span is held at 182 days (then the density is higher).
 */
export function spanOf(size) {
  const days = Math.max(MIN_SPAN_DAYS, Math.round((size / EVENTS_PER_YEAR) * 365.2425));
  const start = Date.UTC(YEAR, 0, 1);
  return { start, end: start + days * DAY, days };
}

/** Every Monday 00:00 UTC whose whole week [Monday, next Monday) lies in the span. */
export function weeksOf(span) {
  const out = [];
  let t = span.start + ((8 - new Date(span.start).getUTCDay()) % 7) * DAY;
  for (; t + 7 * DAY <= span.end; t += 7 * DAY) out.push(t);
  return out;
}

/** Every calendar month (UTC) wholly inside the span, as [start, end) ms. */
export function monthsOf(span) {
  const out = [];
  const d = new Date(span.start);
  for (let y = d.getUTCFullYear(), m = d.getUTCMonth(); ; m++) {
    const a = Date.UTC(y, m, 1);
    const b = Date.UTC(y, m + 1, 1);
    if (b > span.end) break;
    if (a >= span.start) out.push([a, b]);
  }
  return out;
}

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

/** The kind of event i: a fixed pattern, so every 10 consecutive events are 7 single, 2 recurring, 1 meeting. */
const KIND_PATTERN = ["single", "single", "single", "recurring", "single", "single", "meeting", "single", "recurring", "single"];
export const kindOf = (i) => KIND_PATTERN[i % KIND_PATTERN.length];
/** The mean COUNT the lane plan aims at. */
const COUNT_MEAN = 17;

/**
 * Where the weekly series go: "lanes" that tile the span. A lane is a run of
 * back-to-back series, each COUNT 8..26 weeks, from the span's first 7-day
 * block to its last, so every lane has one instance in every 7-day block
 * (minus its EXDATEs, the overrides move by 2 h). With R series and W blocks
 * there are about R * 17 / W lanes: ~65 for 1,000 events a year at any size.
 * Returns R slots { week (block index), count } in random order, or null if no
 * plan fits (tiny sizes; the series are then placed at random in the span).
 */
export function lanePlan(rng, recurring, span) {
  const W = Math.floor(span.days / 7);
  const lo = Math.ceil(W / COUNT_MAX);
  const hi = Math.floor(W / COUNT_MIN);
  if (recurring === 0 || hi < 1) return null;
  const target = Math.max(1, Math.round((recurring * COUNT_MEAN) / W));
  // the nearest lane count K for which recurring/K series per lane can each be COUNT_MIN..COUNT_MAX long
  let K = null;
  for (let d = 0; d <= recurring && K === null; d++) {
    for (const k of [target - d, target + d]) {
      if (k < 1 || k > recurring) continue;
      if (Math.floor(recurring / k) >= lo && Math.ceil(recurring / k) <= hi) {
        K = k;
        break;
      }
    }
  }
  if (K === null) return null;
  const slots = [];
  for (let lane = 0; lane < K; lane++) {
    const n = Math.floor(recurring / K) + (lane < recurring % K ? 1 : 0);
    const parts = Array(n).fill(COUNT_MIN);
    for (let rest = W - COUNT_MIN * n; rest > 0; rest--) {
      const open = parts.map((c, k) => (c < COUNT_MAX ? k : -1)).filter((k) => k >= 0);
      parts[rng.pick(open)]++;
    }
    let week = 0;
    for (const count of rng.shuffle(parts)) {
      slots.push({ week, count, lane });
      week += count;
    }
  }
  return rng.shuffle(slots);
}

/** The calendar of `size` events (indices 0..size-1) over ctx.span, the series placed by lanePlan. */
export function makeCalendar(rng, size, ctx) {
  let recurring = 0;
  for (let i = 0; i < size; i++) if (kindOf(i) === "recurring") recurring++;
  const slots = lanePlan(rng, recurring, ctx.span);
  let next = 0;
  const events = [];
  for (let i = 0; i < size; i++) events.push(makeEvent(rng, i, ctx, kindOf(i) === "recurring" && slots ? slots[next++] : undefined));
  return { events, lanes: slots ? new Set(slots.map((s) => s.lane)).size : 0 };
}

/**
 * One generated event. kind (kindOf): "single" (70%), "recurring" (20%:
 * weekly, COUNT 8..26, one EXDATE, one RECURRENCE-ID override moved by +2 h;
 * in a lane `slot` from lanePlan, else anywhere it fits in the span),
 * "meeting" (10%: ORGANIZER = the user and 3 ATTENDEEs at
 * bench-guest-N@example.invalid, addresses no principal holds: the server
 * schedules them anyway, keeps the iTIP messages for e-mail and then marks
 * them SCHEDULE-STATUS=3.7 in the stored copy, see "settle" in run.mjs). 30%
 * carry a TZID (Europe/Berlin or America/New_York) with an embedded
 * VTIMEZONE, the rest are UTC. Start: a day of the span (ctx.span, see
 * spanOf; all instances of a series fall in it), 07:00-19:45 wall clock,
 * 30-120 minutes.
 */
export function makeEvent(rng, i, ctx, slot) {
  const kind = kindOf(i);
  const tz = rng.next() < 0.3 ? rng.pick(ZONES) : null;
  let count = 1;
  let day;
  if (kind === "recurring" && slot) {
    count = slot.count;
    day = 7 * slot.week + rng.int(0, 6);
  } else {
    if (kind === "recurring") count = rng.int(COUNT_MIN, Math.min(COUNT_MAX, Math.floor(ctx.span.days / 7)));
    day = rng.int(0, ctx.span.days - 1 - 7 * (count - 1));
  }
  const wallStart = ctx.span.start + day * DAY + rng.int(7, 19) * 3_600_000 + rng.pick([0, 15, 30, 45]) * MINUTE;
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
    ev.count = count;
    ev.lane = slot?.lane;
    ev.exIndex = rng.int(1, ev.count - 2);
    do ev.ovIndex = rng.int(1, ev.count - 1);
    while (ev.ovIndex === ev.exIndex);
    ev.ovShift = 120; // minutes
  }
  if (kind === "meeting") {
    ev.organizer = ctx.email;
    ev.attendees = [0, 1, 2].map((k) => `bench-guest-${3 * i + k}@example.invalid`);
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

/** Folds one content line at 75 octets (ASCII text). */
export function fold(line) {
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

/** Splits "NAME;P=V;Q=\"x;y\":value" at the first ":" and the ";"s outside quotes: { name, params (upper-case keys), value }. */
export function parseContentLine(line) {
  const parts = [];
  let cur = "";
  let quoted = false;
  let k = 0;
  for (; k < line.length; k++) {
    const c = line[k];
    if (c === '"') quoted = !quoted;
    if (!quoted && (c === ";" || c === ":")) {
      parts.push(cur);
      cur = "";
      if (c === ":") break;
      continue;
    }
    cur += c;
  }
  const value = line.slice(k + 1);
  const [name, ...ps] = parts;
  const params = {};
  for (const p of ps) {
    const eq = p.indexOf("=");
    params[p.slice(0, eq).toUpperCase()] = p.slice(eq + 1).replace(/^"(.*)"$/, "$1");
  }
  return { name: (name ?? "").toUpperCase(), params, value };
}

/** A calendar address, normalized for comparison: "MAILTO:Bob@X" → "mailto:bob@x". */
export const normAddress = (a) => a.trim().replace(/^mailto:/i, "mailto:").toLowerCase();

/** The ATTENDEEs of the first VEVENT (master) of a calendar object: [{ address (normalized), params }]. */
export function attendeesOf(text) {
  const out = [];
  let inEvent = false;
  let depth = 0;
  for (const l of unfold(text)) {
    if (!inEvent) {
      if (l === "BEGIN:VEVENT") inEvent = true;
      continue;
    }
    if (l === "END:VEVENT" && depth === 0) break;
    if (l.startsWith("BEGIN:")) depth++;
    else if (l.startsWith("END:")) depth--;
    else if (depth === 0 && /^ATTENDEE[;:]/i.test(l)) {
      const p = parseContentLine(l);
      out.push({ address: normAddress(p.value), params: p.params });
    }
  }
  return out;
}

/**
 * The text with PARTSTAT=`partstat` on the ATTENDEE line(s) of `address`,
 * everything else kept as it was (lines unfolded, then folded again).
 */
export function withPartstat(text, address, partstat) {
  const want = normAddress(address);
  let hits = 0;
  const lines = unfold(text).map((l) => {
    if (!/^ATTENDEE[;:]/i.test(l) || normAddress(parseContentLine(l).value) !== want) return l;
    hits++;
    const colon = attendeeColon(l);
    const head = l.slice(0, colon);
    const next = /;PARTSTAT=[^;:]*/i.test(head) ? head.replace(/;PARTSTAT=[^;:]*/i, `;PARTSTAT=${partstat}`) : `${head};PARTSTAT=${partstat}`;
    return next + l.slice(colon);
  });
  if (hits === 0) throw new Error(`no ATTENDEE ${address} in the calendar object`);
  return lines.map(fold).join("\r\n");
}

/** The index of the ":" that ends the name and parameters of a content line. */
function attendeeColon(line) {
  let quoted = false;
  for (let k = 0; k < line.length; k++) {
    if (line[k] === '"') quoted = !quoted;
    else if (line[k] === ":" && !quoted) return k;
  }
  return -1;
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
