// Export of one calendar as one .ics (issue 11 item 6), for the web page's
// Export button and the subscription URL: one VCALENDAR streamed batch by
// batch (core/ical/export-join.ts), so a 10,000-event calendar is never held
// in memory as one string: at most one batch of bodies at a time.
import { homeStub } from "../bindings.js";
import { mapLimit } from "../core/async.js";
import { DavError } from "../core/errors.js";
import { CalendarJoin } from "../core/ical/export-join.js";
import type { Principal } from "../core/model.js";
import { dav } from "../core/xml/names.js";
import { textOf } from "../core/xml/tree.js";
import { DavContext } from "../dav/context.js";
import { readBody } from "../dav/get.js";

/** Objects whose bodies one call to the home brings (each at most max-resource-size; usually a few KB). */
const EXPORT_BATCH = 100;

const utf8 = new TextEncoder();

/**
 * The calendar as a text/calendar response body; 404 for a calendar the principal does not have, or (with
 * `collectionId`) one that is not the calendar of that id: deleted and made again under the same name.
 */
export async function exportCalendar(env: Env, owner: Principal, calendar: string, opts: { download?: boolean; collectionId?: number } = {}): Promise<Response> {
  const home = homeStub(env, owner.id);
  const listing = await home.listObjects(calendar);
  const same = opts.collectionId === undefined || listing?.collection.id === opts.collectionId;
  if (!listing || listing.collection.kind !== "calendar" || !same) throw new DavError(404, { description: `no calendar ${calendar}` });
  const nameProp = listing.collection.props[dav("displayname")];
  const title = nameProp ? textOf(nameProp) : calendar;
  const names = listing.objects.map((o) => o.name);
  const ctx = new DavContext(env, owner);
  const join = new CalendarJoin();
  let next = 0;
  let ended = false;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(utf8.encode(join.head(title)));
    },
    async pull(controller) {
      if (ended) return;
      if (next >= names.length) {
        ended = true;
        controller.enqueue(utf8.encode(join.tail()));
        controller.close();
        return;
      }
      const batch = names.slice(next, next + EXPORT_BATCH);
      next += batch.length;
      // Objects deleted since the listing are left out; those changed are exported as they are now.
      const got = await home.objects(calendar, batch, true);
      // Bodies kept in R2 are read six at a time, and joined in the listing's order.
      const bodies = await mapLimit(got?.objects ?? [], 6, (o) => readBody(ctx, owner.id, o).catch(() => null));
      const parts = bodies.flatMap((body) => (body ? [join.add(body.text)] : []));
      controller.enqueue(utf8.encode(parts.join("")));
    },
  });
  const headers: Record<string, string> = { "Content-Type": "text/calendar; charset=utf-8", "Cache-Control": "no-cache" };
  if (opts.download) headers["Content-Disposition"] = `attachment; filename="${calendar.replace(/[^A-Za-z0-9._-]/g, "_")}.ics"`;
  return new Response(stream, { headers });
}
