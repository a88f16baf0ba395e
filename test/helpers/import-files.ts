// Generated .ics files for the import tests: `n` events as an export from
// another calendar would hold them, with every kind the splitter and the
// store must get right: single events in UTC, series with overrides placed
// far from their master, events in embedded VTIMEZONEs (one shared, one
// defined in the file under a non-IANA name), all-day events and meetings.
const BERLIN = [
  "BEGIN:VTIMEZONE", "TZID:Europe/Berlin",
  "BEGIN:DAYLIGHT", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "TZNAME:CEST", "DTSTART:19810329T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT",
  "BEGIN:STANDARD", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "TZNAME:CET", "DTSTART:19961027T030000", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD",
  "END:VTIMEZONE",
];
/** A zone only this file defines (Outlook names zones like this): it must travel with the events that use it. */
const OUTLOOK = [
  "BEGIN:VTIMEZONE", "TZID:W. Europe Standard Time (custom)",
  "BEGIN:STANDARD", "DTSTART:16010101T030000", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10", "END:STANDARD",
  "BEGIN:DAYLIGHT", "DTSTART:16010101T020000", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3", "END:DAYLIGHT",
  "END:VTIMEZONE",
];

const pad = (n: number, w = 2) => String(n).padStart(w, "0");
/** A day in 2026 for event i (spread over the year). */
const day = (i: number) => {
  const d = new Date(Date.UTC(2026, 0, 1) + (i % 360) * 86_400_000);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
};

export interface GeneratedFile {
  text: string;
  /** Every UID in the file. */
  uids: string[];
  /** UIDs of the recurring series with overrides. */
  series: string[];
}

/** `n` calendar objects (UIDs) in one VCALENDAR, CRLF, as `prefix-<i>@import.test`; each with `notes` more octets of DESCRIPTION, folded. */
export function generatedIcs(n: number, prefix = "gen", notes = 0): GeneratedFile {
  const note = notes > 0 ? [`X-NOTES:${"n".repeat(60)}`, ...Array.from({ length: Math.ceil(notes / 70) }, () => ` ${"lorem ipsum ".repeat(6)}`)] : [];
  const head = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Example Corp//Old Calendar 3.2//EN", "METHOD:PUBLISH", "X-WR-CALNAME:Old calendar", ...BERLIN, ...OUTLOOK];
  const body: string[] = [];
  const late: string[] = [];
  const uids: string[] = [];
  const series: string[] = [];
  for (let i = 0; i < n; i++) {
    const uid = `${prefix}-${i}@import.test`;
    uids.push(uid);
    const d = day(i);
    const common = [`UID:${uid}`, "DTSTAMP:20251201T120000Z", `SUMMARY:Event ${i}`, ...note];
    switch (i % 10) {
      case 0: {
        // A weekly series in Berlin time; one instance moved, its override written at the end of the file.
        series.push(uid);
        body.push("BEGIN:VEVENT", ...common, `DTSTART;TZID=Europe/Berlin:${d}T100000`, `DTEND;TZID=Europe/Berlin:${d}T110000`, "RRULE:FREQ=WEEKLY;COUNT=6", "END:VEVENT");
        const moved = day(i + 14);
        late.push("BEGIN:VEVENT", `UID:${uid}`, "DTSTAMP:20251201T120000Z", `SUMMARY:Event ${i} (moved)`, `RECURRENCE-ID;TZID=Europe/Berlin:${moved}T100000`,
          `DTSTART;TZID=Europe/Berlin:${moved}T150000`, `DTEND;TZID=Europe/Berlin:${moved}T160000`, "END:VEVENT");
        break;
      }
      case 1:
        body.push("BEGIN:VEVENT", ...common, `DTSTART;TZID=W. Europe Standard Time (custom):${d}T080000`, `DTEND;TZID=W. Europe Standard Time (custom):${d}T083000`, "END:VEVENT");
        break;
      case 2:
        body.push("BEGIN:VEVENT", ...common, `DTSTART;VALUE=DATE:${d}`, `DTEND;VALUE=DATE:${day(i + 1)}`, "TRANSP:TRANSPARENT", "END:VEVENT");
        break;
      case 3:
        // A meeting someone else organized, with this user's address among others: history, no invitation.
        body.push("BEGIN:VEVENT", ...common, `DTSTART:${d}T140000Z`, `DTEND:${d}T150000Z`, "ORGANIZER;CN=Organizer:mailto:organizer@elsewhere.example",
          "ATTENDEE;PARTSTAT=ACCEPTED:mailto:organizer@elsewhere.example", "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:guest@elsewhere.example", "END:VEVENT");
        break;
      default:
        body.push("BEGIN:VEVENT", ...common, `DTSTART:${d}T${pad(8 + (i % 9))}0000Z`, `DTEND:${d}T${pad(9 + (i % 9))}0000Z`, `DESCRIPTION:Imported event number ${i}\\, generated`, "END:VEVENT");
    }
  }
  return { text: [...head, ...body, ...late, "END:VCALENDAR", ""].join("\r\n"), uids, series };
}

/** An event set: UID, RECURRENCE-ID, DTSTART and SUMMARY of every component but VTIMEZONE, sorted (unfolded lines, CRLF or LF). */
export function eventSet(text: string): string[] {
  const out: string[] = [];
  let current: string[] | null = null;
  let depth = 0;
  const unfolded = text.replace(/\r\n/g, "\n").replace(/\n[ \t]/g, "").split("\n").filter((l) => l !== "");
  for (const l of unfolded) {
    if (/^BEGIN:/i.test(l)) {
      depth++;
      if (depth === 2 && !/^BEGIN:VTIMEZONE$/i.test(l)) current = [l];
      continue;
    }
    if (/^END:/i.test(l)) {
      if (depth === 2 && current) out.push(current.sort().join("|"));
      if (depth === 2) current = null;
      depth--;
      continue;
    }
    if (depth === 2 && current && /^(UID|RECURRENCE-ID|DTSTART|SUMMARY)[;:]/i.test(l)) current.push(l);
  }
  return out.sort();
}
