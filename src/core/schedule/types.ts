// Plain, structured-cloneable records shared by the scheduling core (RFC 6638
// "calendar-auto-schedule" with iTIP, RFC 5546): the per-object scheduling
// snapshot stored with each object row, and the iTIP messages the planners
// produce for delivery. No classes, no functions.

/** RFC 6638 §7.1: SERVER is the default; unknown values count as NONE. */
export type ScheduleAgent = "SERVER" | "CLIENT" | "NONE";

export interface AttendeeSnap {
  /** Normalized address ("mailto:" lower-cased, see directory.ts). */
  address: string;
  partstat: string;
  role?: string;
  rsvp?: boolean;
  cutype?: string;
  scheduleAgent: ScheduleAgent;
  /** RFC 6638 §7.2, as found in the data (the stored copy never keeps it). */
  forceSend?: string;
}

/** One component of a scheduling object: the master (rid "") or an override. */
export interface InstanceSnap {
  /** "" for the master, else the RECURRENCE-ID as an instance key (see calendar.ts timeKey). */
  rid: string;
  thisAndFuture?: boolean;
  organizer: string | null;
  organizerAgent: ScheduleAgent;
  attendees: AttendeeSnap[];
  /** Hash of timing and content (fingerprint.ts): a change means re-invitation (RFC 5546 §2.1.4, RFC 6638 §3.2.8). EXDATE is not in it (see exdates). */
  significant: string;
  /** Hash of DTSTART, DTEND/DURATION/DUE, RRULE, RDATE alone: a change is a reschedule (RFC 6638 §3.2.8). */
  timing: string;
  /** Hash of SUMMARY, LOCATION, DESCRIPTION, STATUS, URL, CONFERENCE alone. */
  content: string;
  /** DTSTART as an instance key ("" if none): an override with start === rid was not moved. */
  start: string;
  /** End minus start in ms, "due:<key>" for a VTODO with DUE only, "" if no end. */
  duration: string;
  sequence: number;
  /** DTSTAMP as "YYYYMMDDTHHMMSSZ" ("" if missing). */
  dtstamp: string;
  /** STATUS:CANCELLED. */
  cancelled: boolean;
  /** EXDATE values as instance keys, sorted (master only). */
  exdates: string[];
}

export interface ScheduleSnapshot {
  uid: string;
  component: string;
  organizer: string | null;
  instances: InstanceSnap[];
}

export type ItipMethod = "REQUEST" | "CANCEL" | "REPLY" | "ADD";

export interface OutgoingMessage {
  method: ItipMethod;
  /** Sender address (the Organizer for REQUEST/CANCEL, the Attendee for REPLY). */
  originator: string;
  recipient: string;
  uid: string;
  /** Ordering key for the recipient (RFC 5546 §2.1.5): highest SEQUENCE in the body. */
  sequence: number;
  /** DTSTAMP of the message, "YYYYMMDDTHHMMSSZ". */
  dtstamp: string;
  /**
   * The iTIP message: a VCALENDAR with METHOD, CRLF line endings, with the VTIMEZONEs it needs. Recipients of the
   * same components share one string (a meeting of 1,000 holds one body, not 1,000).
   */
  body: string;
  /** Instances concerned, "" = the master (whole event). */
  recurrenceIds?: string[];
}

/** Accepted forms of the current time: ms since the epoch or a Date. */
export type Now = number | Date;
