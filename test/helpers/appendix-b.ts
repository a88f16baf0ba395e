// The calendar of RFC 4791 Appendix B (abcd1.ics - abcd8.ics), as the
// fixture files hold it, for the end-to-end report tests; and a user with
// that calendar stored in a calendar collection that takes every component
// type (created with extended MKCOL, RFC 5689).
import abcd1 from "../fixtures/ics/rfc4791-b-event1.ics?raw";
import abcd2 from "../fixtures/ics/rfc4791-b-event2-recurring.ics?raw";
import abcd3 from "../fixtures/ics/rfc4791-b-event3-attendees.ics?raw";
import abcd4 from "../fixtures/ics/rfc4791-b-todo-due.ics?raw";
import abcd5 from "../fixtures/ics/rfc4791-b-abcd5-todo-alarm.ics?raw";
import abcd6 from "../fixtures/ics/rfc4791-b-abcd6-todo-completed.ics?raw";
import abcd7 from "../fixtures/ics/rfc4791-b-abcd7-todo-cancelled.ics?raw";
import abcd8 from "../fixtures/ics/rfc4791-b-abcd8-freebusy.ics?raw";
import type { Creds } from "./dav-client.js";
import { newUser } from "./caldav.js";
import { mkcolCalendar, putAll } from "./reports.js";

export const APPENDIX_B: Readonly<Record<string, string>> = {
  "abcd1.ics": abcd1,
  "abcd2.ics": abcd2,
  "abcd3.ics": abcd3,
  "abcd4.ics": abcd4,
  "abcd5.ics": abcd5,
  "abcd6.ics": abcd6,
  "abcd7.ics": abcd7,
  "abcd8.ics": abcd8,
};

export const APPENDIX_B_NAMES = Object.keys(APPENDIX_B).sort();

/** A fresh user whose calendar "all" (VEVENT, VTODO, VJOURNAL, VFREEBUSY) holds the Appendix B objects. */
export async function appendixB(prefix = "rfc4791b", props = ""): Promise<{ u: Creds; path: string; etags: Record<string, string> }> {
  const u = await newUser(prefix);
  const path = await mkcolCalendar(u, "all", { props });
  const etags = await putAll(u, path, APPENDIX_B);
  return { u, path, etags };
}
