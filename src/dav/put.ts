// PUT of a calendar object resource (RFC 4791 section 5.3.2): validate the
// body once, derive its index, and let the home commit it atomically with
// the If-Match / If-None-Match checks and the UID rules.
import { checkConditions, checkScheduleTag, parseEtagList } from "../core/conditional.js";
import { needPrivileges } from "../core/acl.js";
import { hrefs } from "../core/paths.js";
import { dav } from "../core/xml/names.js";
import { badRequest, C, DavError, methodNotAllowed, precondition, unwrap } from "../core/errors.js";
import { strongEtag } from "../core/etag.js";
import { prepareObject } from "../core/ical/prepare.js";
import { RETRY_HEADER } from "../home/writes.js";
import { packJobs } from "../core/itip-job.js";
import { planWrite } from "./implicit.js";
import { locate } from "../core/paths.js";
import type { DavContext, DavRequest } from "./context.js";
import { checkSharedOrganizer, mountIn, ownTarget, schedulerOf, sentByBody, sharedTarget } from "./shared.js";
import { parseSnapshot } from "../core/schedule/snapshot.js";
import { delegateTarget } from "./delegated.js";
import { NOTIFICATIONS } from "../core/sharing/model.js";

/** One encoder for every request. */
const UTF8_OUT = new TextEncoder();

const CALENDAR_TYPES = /^text\/calendar\s*(;|$)/i;

/** Content-Type must be iCalendar in UTF-8 (RFC 4791 section 5.3.2.1 supported-calendar-data). */
export function checkCalendarContentType(value: string | null): void {
  if (value === null || value.trim() === "") return; // tolerated: some clients omit it
  if (!CALENDAR_TYPES.test(value)) throw precondition(403, C.supportedCalendarData, `unsupported media type ${value}`);
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(value)?.[1];
  if (charset && !/^utf-?8$/i.test(charset)) throw precondition(403, C.supportedCalendarData, `unsupported charset ${charset}`);
}

/** How often a write is re-planned when the resource changed between planning and commit. */
export const MAX_REPLANS = 5;

/** The client's conditions on a write (RFC 4918 §10.4, RFC 4791 §5.3.2, RFC 6638 §8.3). */
export interface WriteConditions {
  ifMatch?: string[] | "*" | undefined;
  ifNoneMatch?: string[] | "*" | undefined;
  ifScheduleTagMatch?: string[] | "*" | undefined;
}

export async function put(req: DavRequest, ctx: DavContext): Promise<Response> {
  const loc = locate(req.url.pathname);
  if (loc.kind !== "object") throw methodNotAllowed(["OPTIONS", "PROPFIND", "PROPPATCH", "DELETE", "REPORT", "MKCOL"]);
  if (loc.collection === NOTIFICATIONS) throw needPrivileges(hrefs.collection(loc.user, loc.collection), dav("bind"));
  // A partial PUT is not a replacement (RFC 9110 §14.5: an origin server MUST answer 400 to a PUT with Content-Range).
  if (req.headers.has("content-range")) throw badRequest("Content-Range on a PUT: send the whole calendar object");
  checkCalendarContentType(req.headers.get("content-type"));
  // Into another's calendar: as its delegate (dav/delegated.ts), else 403 need-privileges as always.
  const done = await storeObject(ctx, { user: loc.user, collection: loc.collection, name: loc.name }, req.body, {
    ifMatch: parseEtagList(req.headers.get("if-match")),
    ifNoneMatch: parseEtagList(req.headers.get("if-none-match")),
    ifScheduleTagMatch: parseEtagList(req.headers.get("if-schedule-tag-match")),
  });
  // The ETag of what was stored, even when scheduling rewrote it (SCHEDULE-STATUS, SEQUENCE): clients such as
  // Evolution refuse a PUT answer without one (cyrus-imapd#2456), and Schedule-Tag is for scheduling (RFC 6638 §3.2.10).
  const headers: Record<string, string> = { ETag: `"${done.etag}"` };
  if (done.scheduleTag) headers["Schedule-Tag"] = `"${done.scheduleTag}"`;
  return new Response(null, { status: done.created ? 201 : 204, headers });
}

/**
 * Stores one calendar object resource of the authenticated principal exactly as a client's PUT does: the body
 * validated (RFC 4791 §5.3.2.1), indexed, planned for implicit scheduling (RFC 6638 §3.2, so an attendee's changed
 * PARTSTAT sends a REPLY), and committed by the home under the conditions given. The PUT handler and the web
 * page's answers to invitations (src/web/agenda/invitations.ts) both write through here.
 */
export async function storeObject(
  ctx: DavContext,
  loc: { user?: string | undefined; collection: string; name: string },
  raw: Uint8Array,
  conditions: WriteConditions,
): Promise<{ etag: string; scheduleTag: string | null; created: boolean }> {
  const { text, parsed, snapshot, instances } = prepareObject(raw, ctx.limits, Date.now());
  const owner = loc.user ?? ctx.user.id;
  const href = hrefs.object(owner, loc.collection, loc.name);
  // The user's own home, or (once its home names the calendar as shared with it) the owner's home: dav/shared.ts;
  // another's home, as its delegate: dav/delegated.ts (the delegator's home decides as it reads or writes).
  let target = owner !== ctx.user.id ? await delegateTarget(ctx, owner, loc.collection, href) : ownTarget(ctx, loc.collection);
  // A plain object is first tried in one round trip (again once the write is sent on to a shared calendar's owner).
  let fastNext = snapshot === null;
  for (let attempt = 0; attempt < MAX_REPLANS; attempt++) {
    // A plain object (no ORGANIZER) is stored in one round trip; the home asks for a plan
    // instead if what it replaces is a scheduling object (attendees may need a CANCEL).
    const fast = fastNext;
    fastNext = false;
    const read = fast ? null
      : target.asSharee ? await target.home.object(target.collection, loc.name, target.asSharee.id)
      : target.asDelegate ? unwrap(await target.home.delegateStored(target.collection, loc.name, target.asDelegate))
      : await target.home.objectOrMount(target.collection, loc.name);
    if (read && "mount" in read) {
      target = sharedTarget(ctx, read.mount, href);
      continue;
    }
    const stored = read;
    // The owner schedules, or a read-write sharee organizing as itself in the owner's calendar (dav/shared.ts).
    // The stored scheduling state, read once for the three decisions below (which only a sharee's or delegate's write needs).
    const storedSnap = target.asSharee || target.asDelegate ? parseSnapshot(stored?.snapshot ?? null) : null;
    const by = await schedulerOf(target, storedSnap, snapshot, ctx.user);
    await checkSharedOrganizer(target, snapshot, ctx.user, by, storedSnap);
    // A sharee writing the owner's meeting is its SENT-BY (RFC 5545 §3.2.18): the body is the owner's, sent by the sharee.
    const sentBy = by.hosted ? null : await sentByBody(target, snapshot, text, ctx.user, storedSnap);
    const incoming = sentBy ?? text;
    // The client's own conditions first: a stale tag is a 412 whatever the body says (RFC 6638 §3.2.10.1).
    if (!fast) {
      checkConditions(stored?.object.etag ?? null, conditions);
      checkScheduleTag(stored?.object.scheduleTag ?? null, conditions.ifScheduleTagMatch);
    }
    const scheduling = snapshot !== null || (stored?.snapshot ?? null) !== null;
    const plan = scheduling
      ? await planWrite(ctx, await by.principal(), stored, { obj: parsed, text: incoming, snapshot }, {
          scheduleReply: true,
          mergeOthers: conditions.ifScheduleTagMatch !== undefined,
          hosted: by.hosted,
        })
      : { text: incoming, rewritten: false, snapshot: null, jobs: [] };
    const body = plan.text ?? incoming;
    const bytes = plan.rewritten || sentBy !== null ? UTF8_OUT.encode(body) : raw;
    const result = await target.home.putObject({
      collection: target.collection,
      asSharee: target.asSharee,
      asDelegate: target.asDelegate,
      name: loc.name,
      body,
      size: bytes.byteLength,
      etag: await strongEtag(bytes),
      index: parsed.index,
      instances,
      ...conditions,
      ...(fast ? { plainOnly: true } : {}),
      ...(scheduling
        ? {
            expectEtag: stored?.object.etag ?? null,
            schedule: { snapshot: plan.snapshot ? JSON.stringify(plan.snapshot) : null, newTag: true, jobs: packJobs(plan.jobs) },
          }
        : {}),
    });
    if (!result.ok && result.error.headers[RETRY_HEADER]) continue;
    const mount = !result.ok && !target.asSharee && !target.asDelegate ? mountIn(result.error) : undefined;
    if (mount) {
      target = sharedTarget(ctx, mount, href);
      fastNext = snapshot === null;
      continue;
    }
    return unwrap(result);
  }
  throw new DavError(503, { description: "the resource keeps changing; try again", headers: { "Retry-After": "1" } });
}
