// When the CALDAV:schedule-tag of a scheduling object resource changes (RFC
// 6638 §3.2.10, §9.3), in one place. The tag lets clients write with
// If-Schedule-Tag-Match across "inconsequential" server changes: replies
// merged into the Organizer's copy, status updates, and Organizer updates
// that only carry other Attendees' participation status.

export type ScheduleTagChange =
  /** PUT, COPY or MOVE by a client: always a new tag (both copies, rule 2 / 3). */
  | { kind: "client-put" }
  /** DELETE by a client: the resource is gone; a new tag for any later resource at that URI. */
  | { kind: "client-delete" }
  /** A REPLY merged into the Organizer's copy: the tag MUST NOT change (Organizer rule 1). */
  | { kind: "server-reply-merge" }
  /** SCHEDULE-STATUS written after delivery: not a consequential change. */
  | { kind: "server-status" }
  /** A REQUEST applied to an Attendee's copy: new tag unless it only changed participation status (Attendee rules 1 and 2). */
  | { kind: "server-request-applied"; partstatOnly: boolean }
  /** A CANCEL applied to an Attendee's copy: consequential (Attendee rule 1). */
  | { kind: "server-cancel-applied" };

/** Whether the change needs a new Schedule-Tag. */
export function needsNewScheduleTag(change: ScheduleTagChange): boolean {
  switch (change.kind) {
    case "client-put":
    case "client-delete":
    case "server-cancel-applied":
      return true;
    case "server-reply-merge":
    case "server-status":
      return false;
    case "server-request-applied":
      return !change.partstatOnly;
  }
}
