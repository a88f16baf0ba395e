// The soak's calendar data (RFC 5545): plain events and to-dos that carry a
// marker the final check compares (X-SOAK-MARK, also in SUMMARY), meetings
// with an ORGANIZER and ATTENDEEs that the server schedules implicitly (RFC
// 6638 §3.2), and small readers and editors of what the server answers.
// Markers are unique per write, so two writes never store the same bytes
// (and never the same strong ETag).
import { fold, normAddress, parseContentLine, unfold } from "./workload.mjs";

export { attendeesOf, normAddress, uidOf, withPartstat } from "./workload.mjs";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const pad = (n, w = 2) => String(n).padStart(w, "0");
const utc = (ms) => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
};
const date = (ms) => utc(ms).slice(0, 8);
/** DTSTAMP: now, to the second (RFC 5545 §3.8.7.2). */
export const stampNow = () => utc(Math.floor(Date.now() / 1000) * 1000);

/** The window the soak's data lives in: 2027, so that "now" never matters. */
export const WINDOW = { start: Date.UTC(2027, 0, 1), end: Date.UTC(2028, 0, 1) };
export const icsUtc = utc;

/**
 * The times of a new plain object, drawn once and kept through its updates:
 * { component: "VEVENT" | "VTODO", start, minutes, allDay, weeks (COUNT of a
 * weekly RRULE, 0 for none) }.
 */
export function plainShape(rng, component) {
  const day = rng.int(0, 364 - 7 * 12);
  const allDay = component === "VEVENT" && rng.next() < 0.1;
  return {
    component,
    start: WINDOW.start + day * DAY + (allDay ? 0 : rng.int(7, 19) * HOUR + rng.pick([0, 15, 30, 45]) * 60_000),
    minutes: allDay ? 24 * 60 : rng.pick([15, 30, 45, 60, 90]),
    allDay,
    weeks: component === "VEVENT" && rng.next() < 0.2 ? rng.int(2, 12) : 0,
  };
}

const wrap = (lines) => ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//edge-caldav//soak//EN", "CALSCALE:GREGORIAN", ...lines, "END:VCALENDAR", ""].map(fold).join("\r\n");

/** A plain event or to-do (no ORGANIZER: no scheduling). `shift` hours move it (an update may reschedule). */
export function plainText({ uid, shape, mark, sequence, shift = 0 }) {
  const start = shape.start + shift * HOUR;
  const common = [`UID:${uid}`, `DTSTAMP:${stampNow()}`, `SEQUENCE:${sequence}`, `SUMMARY:Soak ${mark}`, `X-SOAK-MARK:${mark}`];
  if (shape.component === "VTODO") {
    return wrap(["BEGIN:VTODO", ...common, `DTSTART:${utc(start)}`, `DUE:${utc(start + shape.minutes * 60_000)}`, "STATUS:NEEDS-ACTION", "END:VTODO"]);
  }
  const times = shape.allDay
    ? [`DTSTART;VALUE=DATE:${date(start)}`, `DTEND;VALUE=DATE:${date(start + DAY)}`]
    : [`DTSTART:${utc(start)}`, `DTEND:${utc(start + shape.minutes * 60_000)}`];
  return wrap(["BEGIN:VEVENT", ...common, ...times, ...(shape.weeks ? [`RRULE:FREQ=WEEKLY;COUNT=${shape.weeks}`] : []), "END:VEVENT"]);
}

/**
 * A meeting the organizer invites attendees to (RFC 6638 §3.2.1): the
 * organizer is also an ATTENDEE (ACCEPTED, as clients write it), every other
 * attendee NEEDS-ACTION with RSVP.
 */
export function meetingText({ uid, organizer, attendees, shape, summary, location }) {
  const lines = [
    "BEGIN:VEVENT", `UID:${uid}`, `DTSTAMP:${stampNow()}`, "SEQUENCE:0",
    `DTSTART:${utc(shape.start)}`, `DTEND:${utc(shape.start + shape.minutes * 60_000)}`,
    ...(shape.weeks ? [`RRULE:FREQ=WEEKLY;COUNT=${shape.weeks}`] : []),
    `SUMMARY:${summary}`, `LOCATION:${location}`,
    `ORGANIZER;CN=${organizer.name}:${organizer.address}`,
    `ATTENDEE;CN=${organizer.name};PARTSTAT=ACCEPTED;ROLE=CHAIR:${organizer.address}`,
    ...attendees.map((a) => `ATTENDEE;CN=${a.name};PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE:${a.address}`),
    "END:VEVENT",
  ];
  return wrap(lines);
}

/** The content lines of the VEVENT/VTODO components at their top level, with the component index. */
function componentLines(text) {
  const out = [];
  let comp = -1;
  let depth = 0;
  for (const [k, l] of unfold(text).entries()) {
    if (/^BEGIN:(VEVENT|VTODO)$/i.test(l) && depth === 0) {
      comp++;
      depth = 1;
      continue;
    }
    if (depth === 0) continue;
    if (/^BEGIN:/i.test(l)) depth++;
    else if (/^END:/i.test(l)) depth--;
    else if (depth === 1) out.push({ k, comp, line: l });
  }
  return out;
}

/** The value of a property of the first VEVENT/VTODO (e.g. "SUMMARY", "SEQUENCE", "STATUS", "X-SOAK-MARK"), or undefined. */
export function propOf(text, name) {
  const hit = componentLines(text).find((x) => x.comp === 0 && parseContentLine(x.line).name === name);
  return hit ? parseContentLine(hit.line).value : undefined;
}

export const markOf = (text) => propOf(text, "X-SOAK-MARK");
export const sequenceOf = (text) => Number(propOf(text, "SEQUENCE") ?? 0);

/** The ORGANIZER address of the first component, normalized. */
export function organizerOf(text) {
  const v = propOf(text, "ORGANIZER");
  return v === undefined ? undefined : normAddress(v);
}

/**
 * The text with property values replaced (or added) in every VEVENT/VTODO
 * at top level: { SUMMARY: "x", SEQUENCE: "3" }. Parameters of a replaced
 * property are dropped; everything else stays as the server sent it.
 */
export function withProps(text, values) {
  const lines = unfold(text);
  const seen = new Map();
  const lastOf = new Map();
  for (const { k, comp, line } of componentLines(text)) {
    lastOf.set(comp, k);
    const name = parseContentLine(line).name;
    if (Object.hasOwn(values, name)) {
      lines[k] = `${name}:${values[name]}`;
      seen.set(`${comp} ${name}`, true);
    }
  }
  const inserts = [];
  for (const [comp, k] of lastOf) for (const name of Object.keys(values)) if (!seen.has(`${comp} ${name}`)) inserts.push({ k, line: `${name}:${values[name]}` });
  for (const { k, line } of inserts.sort((a, b) => b.k - a.k)) lines.splice(k + 1, 0, line);
  return lines.map(fold).join("\r\n");
}

/** The parameters of each ATTENDEE of the first component, by normalized address. */
export function attendeeParams(text) {
  const out = new Map();
  for (const { comp, line } of componentLines(text)) {
    if (comp !== 0) continue;
    const p = parseContentLine(line);
    if (p.name === "ATTENDEE") out.set(normAddress(p.value), p.params);
  }
  return out;
}
