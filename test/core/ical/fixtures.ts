// The iCalendar fixtures, bundled as strings with Vite's ?raw imports so that
// the same tests could run in workerd too (no file system at run time).
// Add a file under test/fixtures/ics/ and list it here.
import appleAllday from "../../fixtures/ics/apple-allday.ics?raw";
import appleRecurringBerlin from "../../fixtures/ics/apple-recurring-berlin.ics?raw";
import clientAppleEvent from "../../fixtures/ics/client-apple-event.ics?raw";
import clientDavx5Todo from "../../fixtures/ics/client-davx5-todo.ics?raw";
import clientOutlookEvent from "../../fixtures/ics/client-outlook-event.ics?raw";
import clientThunderbirdEvent from "../../fixtures/ics/client-thunderbird-event.ics?raw";
import davx5TaskDue from "../../fixtures/ics/davx5-task-due.ics?raw";
import davx5TaskStartDuration from "../../fixtures/ics/davx5-task-start-duration.ics?raw";
import floating from "../../fixtures/ics/floating.ics?raw";
import googleUtcUntil from "../../fixtures/ics/google-utc-until.ics?raw";
import outlookWindowsTzOtherDefinition from "../../fixtures/ics/outlook-windows-tz-other-definition.ics?raw";
import outlookWindowsTz from "../../fixtures/ics/outlook-windows-tz.ics?raw";
import rfc4791BEvent1 from "../../fixtures/ics/rfc4791-b-event1.ics?raw";
import rfc4791BEvent2Recurring from "../../fixtures/ics/rfc4791-b-event2-recurring.ics?raw";
import rfc4791BEvent3Attendees from "../../fixtures/ics/rfc4791-b-event3-attendees.ics?raw";
import rfc4791BFreebusy from "../../fixtures/ics/rfc4791-b-freebusy.ics?raw";
import rfc4791BJournal from "../../fixtures/ics/rfc4791-b-journal.ics?raw";
import rfc4791BThisandfuture from "../../fixtures/ics/rfc4791-b-thisandfuture.ics?raw";
import rfc4791BTodoCompleted from "../../fixtures/ics/rfc4791-b-todo-completed.ics?raw";
import rfc4791BTodoDue from "../../fixtures/ics/rfc4791-b-todo-due.ics?raw";
import rfc4791BTodoNoDates from "../../fixtures/ics/rfc4791-b-todo-no-dates.ics?raw";
import rfc4791BTodoStartDue from "../../fixtures/ics/rfc4791-b-todo-start-due.ics?raw";
import taskCompleted from "../../fixtures/ics/task-completed.ics?raw";
import thunderbirdDailyUnbounded from "../../fixtures/ics/thunderbird-daily-unbounded.ics?raw";
import thunderbirdEventNewyork from "../../fixtures/ics/thunderbird-event-newyork.ics?raw";
import tzAppleBerlin from "../../fixtures/ics/calendar-timezone/apple-berlin.ics?raw";
import tzOutlookTokyo from "../../fixtures/ics/calendar-timezone/outlook-tokyo.ics?raw";

/** Calendar object resources, by file name. */
export const OBJECT_FIXTURES: Readonly<Record<string, string>> = {
  "apple-allday.ics": appleAllday,
  "apple-recurring-berlin.ics": appleRecurringBerlin,
  "client-apple-event.ics": clientAppleEvent,
  "client-davx5-todo.ics": clientDavx5Todo,
  "client-outlook-event.ics": clientOutlookEvent,
  "client-thunderbird-event.ics": clientThunderbirdEvent,
  "davx5-task-due.ics": davx5TaskDue,
  "davx5-task-start-duration.ics": davx5TaskStartDuration,
  "floating.ics": floating,
  "google-utc-until.ics": googleUtcUntil,
  "outlook-windows-tz-other-definition.ics": outlookWindowsTzOtherDefinition,
  "outlook-windows-tz.ics": outlookWindowsTz,
  "rfc4791-b-event1.ics": rfc4791BEvent1,
  "rfc4791-b-event2-recurring.ics": rfc4791BEvent2Recurring,
  "rfc4791-b-event3-attendees.ics": rfc4791BEvent3Attendees,
  "rfc4791-b-freebusy.ics": rfc4791BFreebusy,
  "rfc4791-b-journal.ics": rfc4791BJournal,
  "rfc4791-b-thisandfuture.ics": rfc4791BThisandfuture,
  "rfc4791-b-todo-completed.ics": rfc4791BTodoCompleted,
  "rfc4791-b-todo-due.ics": rfc4791BTodoDue,
  "rfc4791-b-todo-no-dates.ics": rfc4791BTodoNoDates,
  "rfc4791-b-todo-start-due.ics": rfc4791BTodoStartDue,
  "task-completed.ics": taskCompleted,
  "thunderbird-daily-unbounded.ics": thunderbirdDailyUnbounded,
  "thunderbird-event-newyork.ics": thunderbirdEventNewyork,
};

/** CALDAV:calendar-timezone values, by file name. */
export const TIMEZONE_FIXTURES: Readonly<Record<string, string>> = {
  "apple-berlin.ics": tzAppleBerlin,
  "outlook-tokyo.ics": tzOutlookTokyo,
};

// RFC 4791 Appendix B objects abcd5-abcd8, as printed there (the query engine's tests).
import rfc4791BAbcd5TodoAlarm from "../../fixtures/ics/rfc4791-b-abcd5-todo-alarm.ics?raw";
import rfc4791BAbcd6TodoCompleted from "../../fixtures/ics/rfc4791-b-abcd6-todo-completed.ics?raw";
import rfc4791BAbcd7TodoCancelled from "../../fixtures/ics/rfc4791-b-abcd7-todo-cancelled.ics?raw";
import rfc4791BAbcd8Freebusy from "../../fixtures/ics/rfc4791-b-abcd8-freebusy.ics?raw";
Object.assign(OBJECT_FIXTURES, {
  "rfc4791-b-abcd5-todo-alarm.ics": rfc4791BAbcd5TodoAlarm,
  "rfc4791-b-abcd6-todo-completed.ics": rfc4791BAbcd6TodoCompleted,
  "rfc4791-b-abcd7-todo-cancelled.ics": rfc4791BAbcd7TodoCancelled,
  "rfc4791-b-abcd8-freebusy.ics": rfc4791BAbcd8Freebusy,
});

// An object's own VTIMEZONE under an IANA name, with other rules than the IANA zone's (RFC 5545 §3.6.5).
import berlinHistoricIcal4j from "../../fixtures/ics/berlin-historic-ical4j.ics?raw";
import berlinOwnRulesPermanentCest from "../../fixtures/ics/berlin-own-rules-permanent-cest.ics?raw";
import tzBerlinPermanentCest from "../../fixtures/ics/calendar-timezone/berlin-permanent-cest.ics?raw";
Object.assign(OBJECT_FIXTURES, {
  "berlin-historic-ical4j.ics": berlinHistoricIcal4j,
  "berlin-own-rules-permanent-cest.ics": berlinOwnRulesPermanentCest,
});
Object.assign(TIMEZONE_FIXTURES, {
  "berlin-permanent-cest.ics": tzBerlinPermanentCest,
});

// To-dos that recur from DUE, without DTSTART (RFC 2445; see src/core/ical/component.ts).
import ical3TaskMonthlyDueDate from "../../fixtures/ics/ical3-task-monthly-due-date.ics?raw";
import lightningTaskRecurringDue from "../../fixtures/ics/lightning-task-recurring-due.ics?raw";
Object.assign(OBJECT_FIXTURES, {
  "ical3-task-monthly-due-date.ics": ical3TaskMonthlyDueDate,
  "lightning-task-recurring-due.ics": lightningTaskRecurringDue,
});
