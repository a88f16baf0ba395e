// Processing incoming scheduling messages (RFC 6638 §4, RFC 5546 §3.2): one
// entry point for parsing an iTIP message, ordering messages (§2.1.5) and
// applying a REQUEST or CANCEL to an Attendee's copy or a REPLY to the
// Organizer's copy. The implementations live in itip.ts,
// inbound-request.ts and inbound-reply.ts.
export { ITIP_METHODS, isNewer, parseItip, type AnyItipMethod, type ItipComponent, type ItipMessage, type Ordering } from "./itip.js";
export { applyCancel, applyRequest, type ApplyInput, type ApplyResult } from "./inbound-request.js";
export { applyReply, type ReplyInput, type ReplyResult, type ReplyStamps } from "./inbound-reply.js";
