// OPTIONS (RFC 4918 section 10.1, RFC 4791 section 5.1): the DAV classes
// this server really supports, and the methods it routes.
import { allowedMethods } from "./methods.js";

/** No class 2: locking is not supported, and claiming it would mislead clients. */
export const DAV_CLASSES = ["1", "3", "access-control", "calendar-access", "calendar-auto-schedule", "extended-mkcol", "calendarserver-sharing", "calendar-proxy"];

export function optionsResponse(): Response {
  return new Response(null, {
    status: 200,
    headers: {
      DAV: DAV_CLASSES.join(", "),
      Allow: allowedMethods().join(", "),
      "Content-Length": "0",
    },
  });
}
