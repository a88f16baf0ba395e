// The iTIP scenario fixtures (RFC 6638 Appendix B, RFC 5546 examples), bundled
// with Vite's ?raw imports. Add a file under test/fixtures/itip/ and list it here.
import b1OrganizerInvite from "../../fixtures/itip/b1-organizer-invite.ics?raw";
import b2RequestWilfredo from "../../fixtures/itip/b2-request-wilfredo.ics?raw";
import b3WilfredoAccepts from "../../fixtures/itip/b3-wilfredo-accepts.ics?raw";
import b4OrganizerAfterReply from "../../fixtures/itip/b4-organizer-after-reply.ics?raw";
import b4ReplyWilfredo from "../../fixtures/itip/b4-reply-wilfredo.ics?raw";
import b5FreebusyRequest from "../../fixtures/itip/b5-freebusy-request.ics?raw";
import b7BernardCopy from "../../fixtures/itip/b7-bernard-copy.ics?raw";
import b7BernardDeclinesInstance from "../../fixtures/itip/b7-bernard-declines-instance.ics?raw";
import b7ReplyDeclinedInstance from "../../fixtures/itip/b7-reply-declined-instance.ics?raw";
import b8BernardRemovesInstance from "../../fixtures/itip/b8-bernard-removes-instance.ics?raw";
import roomRequest from "../../fixtures/itip/room-request.ics?raw";
import weeklyInstanceCancelled from "../../fixtures/itip/weekly-instance-cancelled.ics?raw";
import weeklyInstanceMoved from "../../fixtures/itip/weekly-instance-moved.ics?raw";
import weeklyOrganizer from "../../fixtures/itip/weekly-organizer.ics?raw";
import weeklySeriesCancelled from "../../fixtures/itip/weekly-series-cancelled.ics?raw";

export const ITIP = {
  b1OrganizerInvite, b2RequestWilfredo, b3WilfredoAccepts, b4OrganizerAfterReply, b4ReplyWilfredo, b5FreebusyRequest,
  b7BernardCopy, b7BernardDeclinesInstance, b7ReplyDeclinedInstance, b8BernardRemovesInstance, roomRequest,
  weeklyInstanceCancelled, weeklyInstanceMoved, weeklyOrganizer, weeklySeriesCancelled,
} as const;
