// POST with an XML body to a calendar or a home is a sharing request
// (dav/sharing.ts). POST to a scheduling outbox (RFC 6638 §5): a VFREEBUSY request answered
// with one CALDAV:response per recipient, carrying only that recipient's busy
// time, computed from each recipient's home concurrently. Posting to another
// principal's outbox needs a privilege nobody has on it (DAV:need-privileges).
// A recipient whose busy time cannot be found within the expansion budget
// (src/home/busy.ts) is answered 5.1 (RFC 5546 §3.6: the request was not
// processed) with no calendar-data: the busy time found so far is no answer.
import { mapLimit } from "../core/async.js";
import { DavError, precondition } from "../core/errors.js";
import { locate, hrefs } from "../core/paths.js";
import { freeBusyReply, parseFreeBusyRequest, requestStatusText, SCHEDULE_STATUS } from "../core/schedule/index.js";
import { caldav, dav } from "../core/xml/names.js";
import { el, type XmlElement } from "../core/xml/tree.js";
import { xmlResponse } from "../http/render.js";
import type { DavContext, DavRequest } from "./context.js";
import { checkCalendarContentType } from "./put.js";
import { decodeCalendar } from "../core/ical/prepare.js";
import { OUTBOX } from "../home/provision.js";
import { isSharingPost, sharingPost } from "./sharing.js";

const FANOUT = 6;

/** ical.js throws plain errors on some malformed values: they are the client's fault (400), never a 500. */
function parseRequest(text: string, addresses: string[]): ReturnType<typeof parseFreeBusyRequest> {
  try {
    return parseFreeBusyRequest(text, addresses);
  } catch (e) {
    if (e instanceof DavError) throw e;
    throw precondition(400, caldav("valid-scheduling-message"), `malformed free-busy request: ${(e as Error).message}`);
  }
}

export async function post(req: DavRequest, ctx: DavContext): Promise<Response> {
  const loc = locate(req.url.pathname);
  if (!(loc.kind === "collection" && loc.collection === OUTBOX) && isSharingPost(loc, req)) return sharingPost(req, ctx);
  if (loc.kind !== "collection" || loc.collection !== OUTBOX)
    throw new DavError(405, { description: "POST is accepted by scheduling outboxes only", headers: { Allow: "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, REPORT, MKCOL, COPY, MOVE" } });
  if (loc.user !== ctx.user.id)
    throw new DavError(403, {
      condition: el(dav("need-privileges"), [
        el(dav("resource"), [el(dav("href"), [hrefs.collection(loc.user, OUTBOX)]), el(dav("privilege"), [el(caldav("schedule-send-freebusy"))])]),
      ]),
      description: "only the owner may post to a scheduling outbox",
    });
  checkCalendarContentType(req.headers.get("content-type"));
  const request = parseRequest(decodeCalendar(req.body), ctx.user.addresses);
  const responses = await mapLimit(request.attendees, FANOUT, async (address): Promise<XmlElement> => {
    const recipient = await ctx.directory.principalByAddress(address);
    const parts: XmlElement[] = [el(caldav("recipient"), [el(dav("href"), [address])])];
    if (!recipient) {
      parts.push(el(caldav("request-status"), [requestStatusText(SCHEDULE_STATUS.INVALID_USER)]));
      return el(caldav("response"), parts);
    }
    const busy = await ctx.home(recipient.id).freeBusy({ start: request.start, end: request.end }, recipient.addresses);
    if (busy.some((p) => p.unknown)) {
      parts.push(el(caldav("request-status"), [requestStatusText(SCHEDULE_STATUS.TEMPORARY_FAILURE)]));
      return el(caldav("response"), parts);
    }
    parts.push(el(caldav("request-status"), [requestStatusText(SCHEDULE_STATUS.SUCCESS)]));
    parts.push(el(caldav("calendar-data"), [freeBusyReply({ request, attendee: address, busy })]));
    return el(caldav("response"), parts);
  });
  return xmlResponse(200, el(caldav("schedule-response"), responses));
}
