// The pure scheduling core of CalDAV auto-schedule (RFC 6638) with iTIP
// semantics (RFC 5546): snapshots, planning of Organizer and Attendee
// changes, processing of incoming messages, SCHEDULE-STATUS, Schedule-Tag
// rules, busy time requests and resource auto-replies. No I/O.
export type { AttendeeSnap, InstanceSnap, ItipMethod, Now, OutgoingMessage, ScheduleAgent, ScheduleSnapshot } from "./types.js";
export { ownAttendeeAddress, parseSnapshot, roleOf, snapshotOf } from "./snapshot.js";
export { organizerChangeRefused, planOrganizer, planRefresh, type OrganizerInput, type OrganizerPlan } from "./organizer.js";
export { planAttendee, type AttendeeInput, type AttendeePlan } from "./attendee.js";
export { ATTENDEE_MAY_CHANGE, attendeeChangeRefused } from "./attendee-rules.js";
export * from "./inbound.js";
export { checkAuthority, type Authority, type AuthorityInput } from "./authority.js";
export { SCHEDULE_STATUS, keepReplyStatus, promisedStatuses, requestStatusText, setOrganizerScheduleStatus, setScheduleStatus, stripScheduleParams, type ScheduleStatus } from "./status.js";
export { needsNewScheduleTag, type ScheduleTagChange } from "./schedule-tag.js";
export { freeBusyReply, parseFreeBusyRequest, type BusyPeriod, type FreeBusyRequest } from "./freebusy-request.js";
export { autoReply, autoSchedule, type AutoReplyInput, type AutoScheduleResult, type BusyCheck } from "./room.js";
export { mergeAttendeeState } from "./merge.js";
export { answersForInvited, attendeesOf } from "./calendar.js";
