// The value type of an iCalendar property (RFC 5545 §3.2.20 VALUE, §3.3):
// its default by name as the RFC that defines it says, unless an explicit
// VALUE= parameter names another. Properties this table does not know (X-
// and unregistered IANA names) default to TEXT (RFC 5545 §3.8.8.1, §3.8.8.2).
// Used to decide which values the TEXT escape rules of §3.3.11 apply to.

/** Default value type by property name; null where the RFC gives none and only VALUE= decides. */
const DEFAULT_TYPE: ReadonlyMap<string, string | null> = new Map(Object.entries({
  // RFC 5545 §3.7 calendar properties
  CALSCALE: "TEXT",
  METHOD: "TEXT",
  PRODID: "TEXT",
  VERSION: "TEXT",
  // §3.8.1 descriptive
  ATTACH: "URI",
  CATEGORIES: "TEXT",
  CLASS: "TEXT",
  COMMENT: "TEXT",
  DESCRIPTION: "TEXT",
  GEO: "FLOAT",
  LOCATION: "TEXT",
  "PERCENT-COMPLETE": "INTEGER",
  PRIORITY: "INTEGER",
  RESOURCES: "TEXT",
  STATUS: "TEXT",
  SUMMARY: "TEXT",
  // §3.8.2 date and time
  COMPLETED: "DATE-TIME",
  DTEND: "DATE-TIME",
  DUE: "DATE-TIME",
  DTSTART: "DATE-TIME",
  DURATION: "DURATION",
  FREEBUSY: "PERIOD",
  TRANSP: "TEXT",
  // §3.8.3 time zone
  TZID: "TEXT",
  TZNAME: "TEXT",
  TZOFFSETFROM: "UTC-OFFSET",
  TZOFFSETTO: "UTC-OFFSET",
  TZURL: "URI",
  // §3.8.4 relationship
  ATTENDEE: "CAL-ADDRESS",
  CONTACT: "TEXT",
  ORGANIZER: "CAL-ADDRESS",
  "RECURRENCE-ID": "DATE-TIME",
  "RELATED-TO": "TEXT",
  URL: "URI",
  UID: "TEXT",
  // §3.8.5 recurrence (EXRULE: RFC 2445 §4.8.5.2, still met in old data)
  EXDATE: "DATE-TIME",
  RDATE: "DATE-TIME",
  RRULE: "RECUR",
  EXRULE: "RECUR",
  // §3.8.6 alarm
  ACTION: "TEXT",
  REPEAT: "INTEGER",
  TRIGGER: "DURATION",
  // §3.8.7 change management
  CREATED: "DATE-TIME",
  DTSTAMP: "DATE-TIME",
  "LAST-MODIFIED": "DATE-TIME",
  SEQUENCE: "INTEGER",
  // §3.8.8.3: statcode ";" statdesc [";" extdata], each part TEXT
  "REQUEST-STATUS": "TEXT",
  // RFC 7986 §5
  NAME: "TEXT",
  "REFRESH-INTERVAL": "DURATION",
  SOURCE: "URI",
  COLOR: "TEXT",
  IMAGE: "URI",
  CONFERENCE: "URI",
  // RFC 7808 §7
  "TZID-ALIAS-OF": "TEXT",
  TZUNTIL: "DATE-TIME",
  // RFC 7953 §3.2
  BUSYTYPE: "TEXT",
  // RFC 9073 §6
  "LOCATION-TYPE": "TEXT",
  "PARTICIPANT-TYPE": "TEXT",
  "RESOURCE-TYPE": "TEXT",
  "CALENDAR-ADDRESS": "CAL-ADDRESS",
  "STYLED-DESCRIPTION": null,
  "STRUCTURED-DATA": null,
  // RFC 9074 §6, §8
  ACKNOWLEDGED: "DATE-TIME",
  PROXIMITY: "TEXT",
  // RFC 9253 §6-§8
  LINK: "URI",
  CONCEPT: "URI",
  REFID: "TEXT",
} satisfies Record<string, string | null>));

/**
 * The value type of a property: the VALUE parameter when given, else the
 * default of its name, TEXT for names the table does not know, null when
 * the RFC has no default and VALUE is absent.
 */
export function valueType(name: string, valueParam: string | undefined): string | null {
  if (valueParam !== undefined && valueParam !== "") return valueParam.toUpperCase();
  const type = DEFAULT_TYPE.get(name.toUpperCase());
  return type === undefined ? "TEXT" : type;
}
