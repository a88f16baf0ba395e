// What one soak client does: a weighted mix of CalDAV reads (GET, PROPFIND
// Depth 0/1, calendar-multiget, calendar-query with a time range,
// free-busy, sync-collection from the last token; RFC 4791 §7, RFC 6578),
// plain writes (create with If-None-Match: *, update and delete with
// If-Match; RFC 4791 §5.3.2, RFC 7232 §3) and implicit scheduling (RFC 6638
// §3.2: an organizer creates, updates and cancels meetings; an attendee
// answers by PUTting its copy with a new PARTSTAT, with If-Match or
// If-Schedule-Tag-Match, §3.2.10). Every answer is checked against the model
// as it arrives (soak-model.mjs says what can be expected).
import { describeExchange } from "./soak-http.mjs";
import { historyText } from "./soak-model.mjs";
import {
  WINDOW, attendeeParams, icsUtc, markOf, meetingText, plainShape, plainText, sequenceOf, stampNow, uidOf, withPartstat, withProps,
} from "./soak-ical.mjs";
import { CALDAV, DAV, clark, parseMultistatus, propText } from "./xml.mjs";

const NS = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CS="http://calendarserver.org/ns/"';
const XML = { "Content-Type": "application/xml; charset=utf-8" };
const ICS = { "Content-Type": "text/calendar; charset=utf-8" };
const GETETAG = clark(DAV, "getetag");
const CALDATA = clark(CALDAV, "calendar-data");
const SYNC_PROPS = `<D:prop><D:getetag/></D:prop>`;
const PARTSTATS = ["ACCEPTED", "DECLINED", "TENTATIVE"];
const DAY = 86_400_000;

/** The mix: [op, weight]. An op with nothing to work on falls back (see pickOp). */
export const MIX = [
  ["get", 10], ["propfind-0", 3], ["propfind-1", 4], ["propfind-home", 2], ["multiget", 6], ["query", 6], ["free-busy", 2],
  ["outbox-free-busy", 1], ["sync", 7], ["inbox", 2], ["create", 14], ["update", 12], ["delete", 6], ["create-conflict", 1],
  ["uid-conflict", 1], ["meeting-create", 3], ["meeting-update", 4], ["meeting-cancel", 1], ["reply", 6],
];

/** Live plain objects a home keeps at most (over it, creates become deletes), per client of that home. */
export const OBJECTS_PER_CLIENT = 20;
/** Meetings an organizer keeps alive at most, per client of its home. */
export const MEETINGS_PER_CLIENT = 4;

const calPath = (user, coll) => `/calendars/${user.username}/${coll}/`;
const pickColl = (rng) => (rng.next() < 0.8 ? "calendar" : "tasks");
const quoted = (etag) => etag; // ETags are kept exactly as the server sent them, quotes included

/** The context shared by every client: { model, http, users, tag, nextId(), stats, t0 }. A client: { id, user, rng, tokens }. */
export function makeOps(ctx) {
  const { model } = ctx;
  const req = (client, kind, method, path, opts) => ctx.http.request(client.user, kind, method, path, opts);

  /** The answer is one of `ok`; otherwise flag it (5xx and no answer are counted by the HTTP client already). */
  function expect(r, ok, what) {
    if (ok.includes(r.status)) return true;
    if (r.status !== 0 && r.status < 500) model.flag("status", `${what}: expected ${ok.join("/")}, got ${r.status}`, describeExchange(r.exchange));
    return false;
  }

  /** Checks a body read from `href`: its UID is the one written there, and its marker one that was sent. */
  function checkRead(href, text, what) {
    const uid = uidOf(text);
    const want = model.hrefUid.get(href);
    if (want === undefined) {
      model.flag("inconsistent", `${what}: ${href} was never written by the soak, yet it answers UID ${uid}`);
      return;
    }
    if (uid !== want) model.flag("inconsistent", `${what}: ${href} carries UID ${uid}, but the soak wrote ${want} there`);
    const obj = model.objects.get(href);
    if (obj) {
      const mark = markOf(text);
      if (!model.marks.get(href)?.has(mark)) model.flag("inconsistent", `${what}: ${href} carries marker ${mark}, which no write to it ever sent`, historyText(obj));
    }
  }

  /** Checks the hrefs a listing (PROPFIND, sync) names: all known to the soak. */
  function checkHrefs(hrefs, what) {
    for (const h of hrefs) if (!model.hrefUid.has(h)) model.flag("inconsistent", `${what}: lists ${h}, which the soak never wrote`);
  }

  /** A write that does not race: no other write to the object in flight, and it names the end of the chain. */
  function beginWrite(obj, prev) {
    const t = model.tip(obj);
    const quiet = obj.inflight === 0 && t.state === "alive" && t.etag === prev;
    obj.inflight++;
    return { quiet, seq: ++obj.writeSeq };
  }
  const endWrite = (obj, w) => {
    obj.inflight--;
    return w.quiet && obj.writeSeq === w.seq;
  };

  /** After a 412: read the current ETag (RFC 7232 §4.2: the client refreshes and may retry). */
  async function refresh(client, obj) {
    const r = await req(client, "refresh-get", "GET", obj.href);
    if (r.status === 200) {
      checkRead(obj.href, r.text, "GET after 412");
      obj.hint = r.headers.get("etag");
    } else if (r.status === 404) obj.hint = null;
    else expect(r, [200, 404], "GET after 412");
  }

  const live = (client, coll) => model.liveObjects(client.user.username, coll);
  /**
   * The object a write goes to: a third of the time one of the home's five newest (a hot set, so the
   * clients of the shared home race with If-Match on the same resource), otherwise any.
   */
  const pickTarget = (client, objs) => client.rng.pick(client.rng.next() < 1 / 3 ? objs.slice(-5) : objs);
  const ownMeetings = (client, state = "alive") =>
    [...model.meetings.values()].filter((m) => m.organizer.username === client.user.username && m.state === state);
  const invitations = (client) =>
    [...model.meetings.values()].filter((m) => m.state === "alive" && m.attendees.has(client.user.username));

  // ---- reads ---------------------------------------------------------------------

  async function get(client) {
    const objs = live(client);
    const meetings = [...ownMeetings(client), ...invitations(client)];
    if (meetings.length && (client.rng.next() < 0.2 || objs.length === 0)) {
      const m = client.rng.pick(meetings);
      const mine = m.organizer.username === client.user.username;
      const href = mine ? m.href : m.attendees.get(client.user.username).copyHref;
      const wasAlive = m.state === "alive" && !m.busy;
      const r = await req(client, "get", "GET", href);
      if (r.status === 200) {
        checkRead(href, r.text, "GET");
        if (!mine) m.attendees.get(client.user.username).seen = true;
      } else if (r.status === 404) {
        if (mine && wasAlive && m.state === "alive") model.flag("lost", `GET ${href}: 404 for the organizer's copy of a meeting that was never cancelled`, historyText(m));
        if (!mine && m.attendees.get(client.user.username).seen) model.flag("lost", `GET ${href}: 404 for an attendee's copy that was there before`, historyText(m));
      } else expect(r, [200, 404], "GET");
      return;
    }
    if (!objs.length) return;
    const obj = client.rng.pick(objs);
    const quiet = obj.inflight === 0 && obj.deletes === 0;
    const seq = obj.writeSeq;
    const r = await req(client, "get", "GET", obj.href);
    if (r.status === 200) checkRead(obj.href, r.text, "GET");
    else if (r.status === 404) {
      if (quiet && obj.writeSeq === seq && model.tip(obj).state === "alive") model.flag("lost", `GET ${obj.href}: 404 for an object that was created, never deleted and not being written`, historyText(obj));
    } else expect(r, [200, 404], "GET");
  }

  async function propfind0(client) {
    const coll = pickColl(client.rng);
    const body = `<?xml version="1.0" encoding="utf-8"?><D:propfind ${NS}><D:prop><D:displayname/><D:resourcetype/><CS:getctag/><D:sync-token/>` +
      `<C:supported-calendar-component-set/><D:quota-used-bytes/><D:quota-available-bytes/></D:prop></D:propfind>`;
    const r = await req(client, "propfind-0", "PROPFIND", calPath(client.user, coll), { headers: { ...XML, Depth: "0" }, body });
    expect(r, [207], "PROPFIND Depth 0");
  }

  async function propfind1(client) {
    const coll = pickColl(client.rng);
    const base = calPath(client.user, coll);
    const body = `<?xml version="1.0" encoding="utf-8"?><D:propfind ${NS}><D:prop><D:getetag/><D:getcontenttype/><D:resourcetype/></D:prop></D:propfind>`;
    const r = await req(client, "propfind-1", "PROPFIND", base, { headers: { ...XML, Depth: "1" }, body });
    if (!expect(r, [207], "PROPFIND Depth 1")) return;
    checkHrefs(parseMultistatus(r.text).responses.map((x) => x.href).filter((h) => h !== base), "PROPFIND Depth 1");
  }

  async function propfindHome(client) {
    const body = `<?xml version="1.0" encoding="utf-8"?><D:propfind ${NS}><D:prop><D:resourcetype/><D:displayname/><CS:getctag/>` +
      `<C:supported-calendar-component-set/><C:schedule-default-calendar-URL/></D:prop></D:propfind>`;
    const r = await req(client, "propfind-home", "PROPFIND", `/calendars/${client.user.username}/`, { headers: { ...XML, Depth: "1" }, body });
    expect(r, [207], "PROPFIND Depth 1 on the home");
  }

  /** Reads the calendar-data of a multistatus and checks each body; returns the responses. */
  function readData(r, what) {
    const ms = parseMultistatus(r.text);
    for (const x of ms.responses) {
      const data = propText(x, CALDATA);
      if (data !== undefined) checkRead(x.href, data, what);
    }
    return ms;
  }

  async function multiget(client) {
    const coll = pickColl(client.rng);
    const base = calPath(client.user, coll);
    const known = [...model.objects.values()].filter((o) => o.user === client.user.username && o.coll === coll).map((o) => o.href);
    if (coll === "calendar") {
      for (const m of model.meetings.values()) {
        if (m.organizer.username === client.user.username) known.push(m.href);
        if (m.attendees.has(client.user.username)) known.push(m.attendees.get(client.user.username).copyHref);
      }
    }
    if (!known.length) return;
    const hrefs = [...new Set(Array.from({ length: Math.min(10, known.length) }, () => client.rng.pick(known)))];
    const body = `<?xml version="1.0" encoding="utf-8"?><C:calendar-multiget ${NS}><D:prop><D:getetag/><C:calendar-data/></D:prop>` +
      hrefs.map((h) => `<D:href>${h}</D:href>`).join("") + "</C:calendar-multiget>";
    const r = await req(client, "multiget", "REPORT", base, { headers: { ...XML, Depth: "1" }, body });
    if (!expect(r, [207], "calendar-multiget")) return;
    const ms = readData(r, "calendar-multiget");
    if (ms.responses.length !== hrefs.length) model.flag("status", `calendar-multiget of ${hrefs.length} hrefs answered ${ms.responses.length} responses`, describeExchange(r.exchange));
  }

  async function query(client) {
    const a = WINDOW.start + client.rng.int(0, 330) * DAY;
    const b = a + client.rng.pick([1, 7, 31]) * DAY;
    const comp = client.rng.next() < 0.8 ? "VEVENT" : "VTODO";
    const coll = comp === "VEVENT" ? "calendar" : "tasks";
    const body = `<?xml version="1.0" encoding="utf-8"?><C:calendar-query ${NS}><D:prop><D:getetag/><C:calendar-data/></D:prop>` +
      `<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="${comp}"><C:time-range start="${icsUtc(a)}" end="${icsUtc(b)}"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`;
    const r = await req(client, "query", "REPORT", calPath(client.user, coll), { headers: { ...XML, Depth: "1" }, body });
    if (expect(r, [207], "calendar-query")) readData(r, "calendar-query");
  }

  async function freeBusy(client) {
    const a = WINDOW.start + client.rng.int(0, 11) * 31 * DAY;
    const body = `<?xml version="1.0" encoding="utf-8"?><C:free-busy-query ${NS}><C:time-range start="${icsUtc(a)}" end="${icsUtc(a + 31 * DAY)}"/></C:free-busy-query>`;
    const r = await req(client, "free-busy", "REPORT", calPath(client.user, "calendar"), { headers: { ...XML, Depth: "1" }, body });
    if (expect(r, [200], "free-busy-query") && !/BEGIN:VFREEBUSY/.test(r.text)) model.flag("status", "free-busy-query: no VFREEBUSY in the answer", describeExchange(r.exchange));
  }

  async function outboxFreeBusy(client) {
    const others = ctx.users.filter((u) => u !== client.user);
    const who = client.rng.shuffle(others).slice(0, client.rng.int(1, 2));
    const a = WINDOW.start + client.rng.int(0, 300) * DAY;
    const ics = [
      "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//edge-caldav//soak//EN", "METHOD:REQUEST", "BEGIN:VFREEBUSY",
      `UID:fb-${ctx.tag}-${ctx.nextId()}@soak.example`, `DTSTAMP:${stampNow()}`, `DTSTART:${icsUtc(a)}`, `DTEND:${icsUtc(a + 7 * DAY)}`,
      `ORGANIZER:${client.user.address}`, ...who.map((u) => `ATTENDEE:${u.address}`), "END:VFREEBUSY", "END:VCALENDAR", "",
    ].join("\r\n");
    const r = await req(client, "outbox-free-busy", "POST", calPath(client.user, "outbox"), { headers: ICS, body: ics });
    if (expect(r, [200], "free-busy POST to the outbox") && !/schedule-response/.test(r.text))
      model.flag("status", "free-busy POST: no CALDAV:schedule-response", describeExchange(r.exchange));
  }

  async function sync(client) {
    const coll = pickColl(client.rng);
    const base = calPath(client.user, coll);
    const token = client.tokens.get(coll);
    const body = `<?xml version="1.0" encoding="utf-8"?><D:sync-collection xmlns:D="DAV:">${token ? `<D:sync-token>${token}</D:sync-token>` : "<D:sync-token/>"}` +
      `<D:sync-level>1</D:sync-level>${SYNC_PROPS}</D:sync-collection>`;
    const r = await req(client, "sync", "REPORT", base, { headers: { ...XML, Depth: "0" }, body });
    if (!expect(r, [207], `sync-collection ${token ? "from the last token" : "initial"}`)) return;
    const ms = parseMultistatus(r.text);
    checkHrefs(ms.responses.map((x) => x.href), "sync-collection");
    if (!ms.syncToken) model.flag("status", "sync-collection: no DAV:sync-token in the answer", describeExchange(r.exchange));
    else client.tokens.set(coll, ms.syncToken);
  }

  /** Lists the scheduling inbox and deletes a few messages, as clients do once they processed them (RFC 6638 §2.2). */
  async function inbox(client) {
    const base = calPath(client.user, "inbox");
    const body = `<?xml version="1.0" encoding="utf-8"?><D:propfind ${NS}><D:prop><D:getetag/></D:prop></D:propfind>`;
    const r = await req(client, "inbox-list", "PROPFIND", base, { headers: { ...XML, Depth: "1" }, body });
    if (!expect(r, [207], "PROPFIND Depth 1 on the inbox")) return;
    const items = parseMultistatus(r.text).responses.map((x) => x.href).filter((h) => h !== base);
    for (const href of client.rng.shuffle(items).slice(0, 3)) {
      const d = await req(client, "inbox-delete", "DELETE", href);
      expect(d, [200, 204, 404], "DELETE of an inbox message"); // another client of the home may have taken it
    }
  }

  // ---- plain writes ----------------------------------------------------------------

  const newMark = (client) => `${ctx.tag}-c${client.id}-${ctx.nextId()}`;

  async function create(client) {
    const coll = pickColl(client.rng);
    const id = ctx.nextId();
    const obj = model.addObject({
      href: `${calPath(client.user, coll)}soak-${ctx.tag}-${id}.ics`,
      user: client.user.username,
      coll,
      uid: `soak-${ctx.tag}-${id}@soak.example`,
      shape: plainShape(client.rng, coll === "calendar" ? "VEVENT" : "VTODO"),
    });
    const mark = newMark(client);
    model.sentMark(obj.href, mark);
    const r = await req(client, "create", "PUT", obj.href, { headers: { ...ICS, "If-None-Match": "*" }, body: plainText({ uid: obj.uid, shape: obj.shape, mark, sequence: 0 }) });
    model.log(obj, `create ${mark} If-None-Match:* → ${r.status || r.error} ${r.headers.get("etag") ?? ""}`);
    if (r.status === 201 && r.headers.get("etag")) {
      obj.createState = "acked";
      obj.created = { etag: r.headers.get("etag"), mark };
      obj.hint = obj.created.etag;
    } else if (r.status === 0) obj.createState = "unknown";
    else {
      obj.createState = r.status >= 200 && r.status < 300 ? "unknown" : "refused";
      expect(r, [201], "create (PUT If-None-Match: * of a new href)");
      if (r.status === 201) model.flag("status", `create ${obj.href}: 201 without an ETag (RFC 4791 §5.3.4 allows it, but a client cannot then update it safely)`);
    }
  }

  async function update(client) {
    const objs = live(client);
    if (!objs.length) return create(client);
    const obj = pickTarget(client, objs);
    const prev = obj.hint;
    if (!prev) return refresh(client, obj);
    const mark = newMark(client);
    model.sentMark(obj.href, mark);
    const shift = client.rng.next() < 0.3 ? client.rng.int(-3, 3) : (obj.shift ?? 0);
    const body = plainText({ uid: obj.uid, shape: obj.shape, mark, sequence: ++obj.sequence, shift });
    const w = beginWrite(obj, prev);
    const r = await req(client, "update", "PUT", obj.href, { headers: { ...ICS, "If-Match": quoted(prev) }, body });
    const quiet = endWrite(obj, w);
    const etag = r.headers.get("etag");
    model.log(obj, `update ${mark} If-Match:${prev} → ${r.status || r.error} ${etag ?? ""}`);
    if ((r.status === 200 || r.status === 204) && etag) {
      obj.shift = shift;
      model.acked(obj, prev, { etag, mark });
      obj.hint = etag;
    } else if (r.status === 412) {
      if (quiet) model.flag("inconsistent", `PUT ${obj.href} If-Match:${prev}: 412, but that is the ETag of its last acknowledged write and no other write was in flight`, historyText(obj));
      await refresh(client, obj);
    } else if (r.status === 0 || r.status >= 500) obj.uncertain = true;
    else {
      expect(r, [200, 204, 412], "update (PUT If-Match)");
      if (r.status >= 200 && r.status < 300) obj.uncertain = true;
    }
  }

  async function del(client) {
    const objs = live(client);
    if (!objs.length) return create(client);
    const obj = pickTarget(client, objs);
    const prev = obj.hint;
    if (!prev) return refresh(client, obj);
    obj.deletes++;
    obj.deleting++;
    const w = beginWrite(obj, prev);
    const r = await req(client, "delete", "DELETE", obj.href, { headers: { "If-Match": quoted(prev) } });
    obj.deleting--;
    const quiet = endWrite(obj, w);
    model.log(obj, `delete If-Match:${prev} → ${r.status || r.error}`);
    if (r.status === 200 || r.status === 204) {
      model.acked(obj, prev, { etag: null, mark: null });
      obj.hint = null;
    } else if (r.status === 412 || r.status === 404) {
      if (quiet) model.flag("inconsistent", `DELETE ${obj.href} If-Match:${prev}: ${r.status}, but that is the ETag of its last acknowledged write and no other write was in flight`, historyText(obj));
      await refresh(client, obj);
    } else if (r.status === 0 || r.status >= 500) obj.uncertain = true;
    else expect(r, [204, 412], "delete (DELETE If-Match)");
  }

  /** PUT If-None-Match: * on an existing href must not replace it (RFC 7232 §3.2: 412). */
  async function createConflict(client) {
    const objs = live(client);
    if (!objs.length) return create(client);
    const obj = client.rng.pick(objs);
    const mark = newMark(client);
    model.sentMark(obj.href, mark);
    const w = beginWrite(obj, obj.hint);
    const r = await req(client, "create-conflict", "PUT", obj.href, { headers: { ...ICS, "If-None-Match": "*" }, body: plainText({ uid: obj.uid, shape: obj.shape, mark, sequence: obj.sequence + 1 }) });
    endWrite(obj, w);
    model.log(obj, `create-conflict ${mark} If-None-Match:* → ${r.status || r.error}`);
    if (r.status === 412) return;
    if (r.status === 0 || r.status >= 500) obj.uncertain = true;
    else if (r.status >= 200 && r.status < 300) {
      // Only right if a DELETE had removed it first: then this is a new object at the same href (the model stops following it).
      obj.uncertain = true;
      if (!model.mayBeGone(obj)) model.flag("status", `PUT If-None-Match: * on the existing ${obj.href} answered ${r.status}, and no DELETE of it was acknowledged or in flight: it replaced the object (RFC 7232 §3.2 requires 412)`, historyText(obj));
    } else expect(r, [412], "PUT If-None-Match: * on an existing href");
  }

  /** A second href with a UID the calendar already holds must be refused (RFC 4791 §5.3.2.1 no-uid-conflict). */
  async function uidConflict(client) {
    const objs = live(client);
    if (!objs.length) return create(client);
    const orig = client.rng.pick(objs);
    const id = ctx.nextId();
    const obj = model.addObject({ href: `${calPath(client.user, orig.coll)}soak-${ctx.tag}-${id}.ics`, user: orig.user, coll: orig.coll, uid: orig.uid, shape: orig.shape });
    const mark = newMark(client);
    model.sentMark(obj.href, mark);
    const r = await req(client, "uid-conflict", "PUT", obj.href, { headers: { ...ICS, "If-None-Match": "*" }, body: plainText({ uid: obj.uid, shape: obj.shape, mark, sequence: 0 }) });
    model.log(obj, `uid-conflict (UID of ${orig.href}) ${mark} → ${r.status || r.error}`);
    model.log(orig, `uid-conflict: ${obj.href} with this UID → ${r.status || r.error}`);
    if (r.status === 403 || r.status === 409) {
      obj.createState = "refused";
      if (!/no-uid-conflict/.test(r.text)) model.flag("status", `PUT of a second href with UID ${orig.uid}: ${r.status} without CALDAV:no-uid-conflict (RFC 4791 §5.3.2.1)`, describeExchange(r.exchange));
    } else if (r.status === 201 && r.headers.get("etag")) {
      // Right only if the original's DELETE was acknowledged or in flight.
      obj.createState = "acked";
      obj.created = { etag: r.headers.get("etag"), mark };
      obj.hint = obj.created.etag;
      if (!model.mayBeGone(orig))
        model.flag("duplicated", `PUT ${obj.href} with the UID of the live ${orig.href} answered 201: two resources with one UID (RFC 4791 §5.3.2.1 no-uid-conflict)`, describeExchange(r.exchange));
    } else if (r.status === 0 || r.status >= 500) obj.createState = "unknown";
    else {
      obj.createState = "unknown";
      expect(r, [403, 409], "PUT of a second href with an existing UID");
    }
  }

  // ---- scheduling ------------------------------------------------------------------

  async function meetingCreate(client) {
    const others = ctx.users.filter((u) => u !== client.user);
    const invited = client.rng.shuffle(others).slice(0, client.rng.int(1, 3));
    const id = ctx.nextId();
    const uid = `soak-${ctx.tag}-m${id}@soak.example`;
    const summary = `Meeting ${newMark(client)}`;
    const m = model.addMeeting({
      uid,
      href: `${calPath(client.user, "calendar")}meet-${ctx.tag}-${id}.ics`,
      organizer: client.user,
      attendees: new Map(invited.map((u) => [u.username, { user: u, copyHref: `${calPath(u, "calendar")}${uid}.ics`, partstat: "NEEDS-ACTION", replyPending: false, seen: false }])),
      seq: 0,
      summary,
      state: "pending",
      busy: true,
      history: [],
    });
    const body = meetingText({ uid, organizer: client.user, attendees: invited, shape: plainShape(client.rng, "VEVENT"), summary, location: `Room ${client.rng.int(1, 20)}` });
    const r = await req(client, "meeting-create", "PUT", m.href, { headers: { ...ICS, "If-None-Match": "*" }, body });
    model.logMeeting(m, `+${at()} create "${summary}" inviting ${invited.map((u) => u.username).join(", ")} → ${r.status || r.error}`);
    if (r.status === 201) m.state = "alive";
    else {
      m.state = r.status === 0 || r.status >= 500 ? "unknown" : "refused";
      expect(r, [201], "meeting create (organizer PUT If-None-Match: *)");
    }
    m.busy = false;
  }

  const at = () => ((performance.now() - ctx.t0) / 1000).toFixed(1);
  const pickFree = (client, list) => {
    const free = list.filter((m) => !m.busy);
    return free.length ? client.rng.pick(free) : null;
  };

  /** GET of the organizer's copy, under the meeting's lock. */
  async function organizerCopy(client, m, kind) {
    const r = await req(client, kind, "GET", m.href);
    if (r.status === 200) {
      checkRead(m.href, r.text, "GET of the organizer's copy");
      return r;
    }
    if (r.status === 404) model.flag("lost", `GET ${m.href}: 404 for the organizer's copy of a meeting that was never cancelled`, historyText(m));
    else expect(r, [200], "GET of the organizer's copy");
    return null;
  }

  /** Whether every acknowledged reply shows in the organizer's copy `text` (clears those that do). */
  function repliesMerged(m, text) {
    const params = attendeeParams(text);
    let all = true;
    for (const a of m.attendees.values()) {
      if (!a.replyPending) continue;
      if ((params.get(a.user.address.toLowerCase())?.PARTSTAT ?? "NEEDS-ACTION").toUpperCase() === a.partstat) a.replyPending = false;
      else all = false;
    }
    return all;
  }

  async function meetingUpdate(client) {
    const m = pickFree(client, ownMeetings(client));
    if (!m) return meetingCreate(client);
    m.busy = true;
    try {
      const g = await organizerCopy(client, m, "meeting-get");
      if (!g) return;
      if (!repliesMerged(m, g.text)) {
        model.deferred++; // a reply is still on its way; changing now could make the server drop it as older (RFC 5546 §2.1.5)
        return;
      }
      const seq = sequenceOf(g.text) + 1;
      const summary = `Meeting ${newMark(client)}`;
      const body = withProps(g.text, { SUMMARY: summary, SEQUENCE: String(seq), DTSTAMP: stampNow(), LOCATION: `Room ${client.rng.int(1, 20)}` });
      const byTag = client.rng.next() < 0.6;
      const cond = byTag ? { "If-Schedule-Tag-Match": g.headers.get("schedule-tag") } : { "If-Match": g.headers.get("etag") };
      const r = await req(client, "meeting-update", "PUT", m.href, { headers: { ...ICS, ...cond }, body });
      model.logMeeting(m, `+${at()} update "${summary}" SEQUENCE:${seq} ${Object.entries(cond).map(([k, v]) => `${k}:${v}`)} → ${r.status || r.error}`);
      if (r.status === 200 || r.status === 204) {
        m.seq = seq;
        m.summary = summary;
      } else if (r.status === 412) {
        if (byTag) model.flag("inconsistent", `PUT ${m.href} with the Schedule-Tag just read: 412 (only the organizer's own writes change its Schedule-Tag, RFC 6638 §3.2.10)`, historyText(m));
        await organizerCopy(client, m, "refresh-get");
      } else if (r.status === 0 || r.status >= 500) m.state = "unknown";
      else expect(r, [200, 204, 412], "meeting update (organizer PUT)");
    } finally {
      m.busy = false;
    }
  }

  async function meetingCancel(client) {
    const m = pickFree(client, ownMeetings(client));
    if (!m) return meetingCreate(client);
    m.busy = true;
    try {
      const g = await organizerCopy(client, m, "meeting-get");
      if (!g) return;
      const byTag = client.rng.next() < 0.5;
      const cond = byTag ? { "If-Schedule-Tag-Match": g.headers.get("schedule-tag") } : { "If-Match": g.headers.get("etag") };
      const r = await req(client, "meeting-cancel", "DELETE", m.href, { headers: cond });
      model.logMeeting(m, `+${at()} cancel (DELETE ${Object.entries(cond).map(([k, v]) => `${k}:${v}`)}) → ${r.status || r.error}`);
      if (r.status === 200 || r.status === 204) {
        m.state = "cancelled";
        m.cancelledAt = performance.now();
      } else if (r.status === 412) {
        if (byTag) model.flag("inconsistent", `DELETE ${m.href} with the Schedule-Tag just read: 412`, historyText(m));
        await organizerCopy(client, m, "refresh-get");
      } else if (r.status === 0 || r.status >= 500) m.state = "unknown";
      else expect(r, [204, 412], "meeting cancel (organizer DELETE)");
    } finally {
      m.busy = false;
    }
  }

  async function reply(client) {
    const m = pickFree(client, invitations(client));
    if (!m) return get(client);
    const a = m.attendees.get(client.user.username);
    m.busy = true;
    try {
      const g = await req(client, "reply-get", "GET", a.copyHref);
      if (g.status === 404) {
        if (a.seen) model.flag("lost", `GET ${a.copyHref}: 404 for an attendee's copy that was there before`, historyText(m));
        return; // not delivered yet
      }
      if (!expect(g, [200], "GET of an attendee's copy")) return;
      checkRead(a.copyHref, g.text, "GET of an attendee's copy");
      a.seen = true;
      const seq = sequenceOf(g.text);
      if (seq < m.seq) {
        model.deferred++; // the latest update is still on its way
        return;
      }
      const mine = (attendeeParams(g.text).get(a.user.address.toLowerCase())?.PARTSTAT ?? "NEEDS-ACTION").toUpperCase();
      const next = client.rng.pick(PARTSTATS.filter((p) => p !== mine));
      const body = withPartstat(g.text, a.user.address, next);
      const byTag = client.rng.next() < 0.5;
      const cond = byTag ? { "If-Schedule-Tag-Match": g.headers.get("schedule-tag") } : { "If-Match": g.headers.get("etag") };
      const r = await req(client, "reply", "PUT", a.copyHref, { headers: { ...ICS, ...cond }, body });
      model.logMeeting(m, `+${at()} ${a.user.username} replies ${next} (was ${mine}, copy SEQUENCE:${seq}) ${Object.entries(cond).map(([k, v]) => `${k}:${v}`)} → ${r.status || r.error}`);
      if (r.status === 200 || r.status === 204) {
        a.partstat = next;
        a.replyPending = true;
      } else if (r.status === 412) {
        if (byTag) model.flag("inconsistent", `PUT ${a.copyHref} with the Schedule-Tag just read: 412 (no organizer change was in flight)`, historyText(m));
        await req(client, "refresh-get", "GET", a.copyHref);
      } else if (r.status === 0 || r.status >= 500) a.uncertain = true;
      else expect(r, [200, 204, 412], "attendee reply (PUT of the copy with a new PARTSTAT)");
    } finally {
      m.busy = false;
    }
  }

  const OPS = {
    get, "propfind-0": propfind0, "propfind-1": propfind1, "propfind-home": propfindHome, multiget, query, "free-busy": freeBusy,
    "outbox-free-busy": outboxFreeBusy, sync, inbox, create, update, delete: del, "create-conflict": createConflict, "uid-conflict": uidConflict,
    "meeting-create": meetingCreate, "meeting-update": meetingUpdate, "meeting-cancel": meetingCancel, reply,
  };
  const total = MIX.reduce((s, [, w]) => s + w, 0);

  /** The next op of a client, with the population held steady: a full home deletes instead of creating. */
  function pickOp(client) {
    let x = client.rng.next() * total;
    let op = MIX[MIX.length - 1][0];
    for (const [name, w] of MIX) {
      if ((x -= w) < 0) {
        op = name;
        break;
      }
    }
    const clientsOfHome = ctx.clientsPerUser.get(client.user.username);
    if (op === "create" && live(client).length >= OBJECTS_PER_CLIENT * clientsOfHome) op = "delete";
    if (op === "meeting-create" && ownMeetings(client).length >= MEETINGS_PER_CLIENT * clientsOfHome) op = "meeting-cancel";
    return op;
  }

  return { OPS, pickOp, run: (client, op) => OPS[op](client) };
}
