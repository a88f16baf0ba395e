// The end of a soak: let scheduling settle (poll, with a bound), then compare
// the server's state with the model. Every calendar of every soak user is
// listed (PROPFIND Depth 1) and read (calendar-multiget): each object the
// model holds must be there with its last acknowledged content and ETag,
// nothing else may be, one href per UID (RFC 4791 §5.3.2.1); every meeting's
// attendees hold its latest version, or STATUS:CANCELLED after the
// organizer's DELETE (RFC 6638 §3.2.1, RFC 5546 §3.2.5), and the organizer's
// copy shows each attendee's last acknowledged PARTSTAT with a SCHEDULE-STATUS
// of delivery or reply (RFC 6638 §3.2.9, §4.2). Finally a sync-collection
// from the token taken before the run must name exactly what is there (RFC
// 6578 §3.4).
import { historyText } from "./soak-model.mjs";
import { attendeeParams, organizerOf, propOf, sequenceOf, uidOf } from "./soak-ical.mjs";
import { CALDAV, DAV, clark, parseMultistatus, propText } from "./xml.mjs";

const NS = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"';
const XML = { "Content-Type": "application/xml; charset=utf-8" };
const GETETAG = clark(DAV, "getetag");
const CALDATA = clark(CALDAV, "calendar-data");
export const COLLECTIONS = ["calendar", "tasks"];
/** SCHEDULE-STATUS values that say the message arrived (RFC 6638 §3.2.9: 1.2 delivered, 2.0 replied). */
const DELIVERED = /^(1\.2|2\.\d+)$/;
/** How long a cancelled meeting's copy may be missing before "never delivered" is believed (the REQUEST may still be queued). */
const CANCEL_GRACE_MS = 5_000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const partstatOf = (params) => String(params?.PARTSTAT ?? "NEEDS-ACTION").toUpperCase();

/** Reads hrefs of one collection with calendar-multiget, 100 at a time: href → { etag, text } (absent hrefs left out). */
async function readAll(ctx, user, coll, hrefs, kind) {
  const out = new Map();
  for (let i = 0; i < hrefs.length; i += 100) {
    const chunk = hrefs.slice(i, i + 100);
    const body = `<?xml version="1.0" encoding="utf-8"?><C:calendar-multiget ${NS}><D:prop><D:getetag/><C:calendar-data/></D:prop>` +
      chunk.map((h) => `<D:href>${h}</D:href>`).join("") + "</C:calendar-multiget>";
    const r = await ctx.http.request(user, kind, "REPORT", `/calendars/${user.username}/${coll}/`, { headers: { ...XML, Depth: "1" }, body, stats: ctx.checkStats });
    if (r.status !== 207) throw new Error(`calendar-multiget for the check answered ${r.status || r.error}: ${r.text.slice(0, 300)}`);
    for (const x of parseMultistatus(r.text).responses) {
      const text = propText(x, CALDATA);
      if (text !== undefined) out.set(x.href, { etag: propText(x, GETETAG), text });
    }
  }
  return out;
}

/** The copies a meeting's check reads: the organizer's and each attendee's, as [user, href]. */
const meetingHrefs = (m) => [[m.organizer, m.href], ...[...m.attendees.values()].map((a) => [a.user, a.copyHref])];

/** What is wrong with a meeting's copies now ([] when everything arrived). `read` maps href → { text } or undefined. */
function meetingProblems(m, read, now) {
  const out = [];
  if (m.state === "unknown" || m.state === "refused" || m.state === "pending") return out;
  const org = read.get(m.href);
  if (m.state === "alive") {
    if (!org) out.push(`the organizer's copy ${m.href} is missing`);
    else {
      const params = attendeeParams(org.text);
      if (propOf(org.text, "SUMMARY") !== m.summary) out.push(`organizer's copy: SUMMARY "${propOf(org.text, "SUMMARY")}", last written "${m.summary}"`);
      for (const a of m.attendees.values()) {
        const p = params.get(a.user.address.toLowerCase());
        if (!p) {
          out.push(`organizer's copy: no ATTENDEE ${a.user.address}`);
          continue;
        }
        if (!a.uncertain && partstatOf(p) !== a.partstat) out.push(`organizer's copy: ${a.user.username} PARTSTAT ${partstatOf(p)}, last acknowledged reply ${a.partstat}`);
        if (!DELIVERED.test(String(p["SCHEDULE-STATUS"] ?? ""))) out.push(`organizer's copy: ${a.user.username} SCHEDULE-STATUS ${p["SCHEDULE-STATUS"] ?? "(none)"}`);
      }
    }
  } else if (org) out.push(`the organizer's copy ${m.href} is still there after its DELETE was acknowledged`);
  for (const a of m.attendees.values()) {
    const copy = read.get(a.copyHref);
    if (!copy) {
      if (m.state === "cancelled" && !a.seen && now - m.cancelledAt > CANCEL_GRACE_MS) continue; // cancelled before it was delivered
      out.push(`${a.user.username} has no copy ${a.copyHref}${a.seen ? " (it was there before)" : ""}`);
      continue;
    }
    const status = (propOf(copy.text, "STATUS") ?? "").toUpperCase();
    if (organizerOf(copy.text) !== m.organizer.address.toLowerCase()) out.push(`${a.user.username}'s copy: ORGANIZER ${organizerOf(copy.text)}, expected ${m.organizer.address}`);
    if (m.state === "cancelled") {
      if (status !== "CANCELLED") out.push(`${a.user.username}'s copy: STATUS ${status || "(none)"} after the organizer cancelled (SEQUENCE ${sequenceOf(copy.text)}, SUMMARY "${propOf(copy.text, "SUMMARY")}")`);
      continue;
    }
    if (status === "CANCELLED") out.push(`${a.user.username}'s copy is CANCELLED, but the meeting was never cancelled`);
    if (propOf(copy.text, "SUMMARY") !== m.summary || sequenceOf(copy.text) !== m.seq)
      out.push(`${a.user.username}'s copy: SEQUENCE ${sequenceOf(copy.text)} "${propOf(copy.text, "SUMMARY")}", latest SEQUENCE ${m.seq} "${m.summary}"`);
    const params = attendeeParams(copy.text);
    const mine = params.get(a.user.address.toLowerCase());
    if (!a.uncertain && partstatOf(mine) !== a.partstat) out.push(`${a.user.username}'s copy: own PARTSTAT ${partstatOf(mine)}, last acknowledged ${a.partstat}`);
    // The other attendees' answers reach every copy too (RFC 6638 §4.2: the organizer's server refreshes them).
    for (const b of m.attendees.values()) {
      if (b === a || b.uncertain) continue;
      const theirs = params.get(b.user.address.toLowerCase());
      if (!theirs) out.push(`${a.user.username}'s copy: no ATTENDEE ${b.user.address}`);
      else if (partstatOf(theirs) !== b.partstat) out.push(`${a.user.username}'s copy: ${b.user.username} PARTSTAT ${partstatOf(theirs)}, last acknowledged ${b.partstat}`);
    }
  }
  return out;
}

/** Reads every meeting copy, grouped per user (one multiget per user): href → { etag, text }. */
async function readMeetings(ctx, meetings) {
  const byUser = new Map();
  for (const m of meetings)
    for (const [user, href] of meetingHrefs(m)) {
      if (!byUser.has(user.username)) byUser.set(user.username, { user, hrefs: [] });
      byUser.get(user.username).hrefs.push(href);
    }
  const read = new Map();
  for (const { user, hrefs } of byUser.values()) for (const [h, v] of await readAll(ctx, user, "calendar", hrefs, "settle-multiget")) read.set(h, v);
  return read;
}

/**
 * Polls the meetings until every copy shows what the model expects and no
 * copy changed since the round before (the server's own writes, such as the
 * batched refreshes of RFC 6638 §4.2, are over), at most `timeoutMs`.
 * Returns { ms, rounds, settled, left } (left: meetings still wrong, with
 * what is wrong, after the timeout).
 */
export async function settle(ctx, timeoutMs) {
  const t0 = performance.now();
  const meetings = [...ctx.model.meetings.values()];
  let rounds = 0;
  let wrong = [];
  let before = null;
  for (;;) {
    rounds++;
    const read = await readMeetings(ctx, meetings);
    const now = performance.now();
    wrong = meetings.map((m) => ({ m, problems: meetingProblems(m, read, now) })).filter((x) => x.problems.length > 0);
    const etags = new Map([...read].map(([h, v]) => [h, v.etag]));
    const still = before !== null && etags.size === before.size && [...etags].every(([h, e]) => before.get(h) === e);
    before = etags;
    if ((wrong.length === 0 && still) || now - t0 > timeoutMs) break;
    await sleep(1_000);
  }
  return { ms: performance.now() - t0, rounds, settled: wrong.length === 0, left: wrong };
}

/** Lists a collection with PROPFIND Depth 1: href → ETag. */
async function list(ctx, user, coll) {
  const base = `/calendars/${user.username}/${coll}/`;
  const body = `<?xml version="1.0" encoding="utf-8"?><D:propfind ${NS}><D:prop><D:getetag/></D:prop></D:propfind>`;
  const r = await ctx.http.request(user, "check-propfind", "PROPFIND", base, { headers: { ...XML, Depth: "1" }, body, stats: ctx.checkStats });
  if (r.status !== 207) throw new Error(`PROPFIND Depth 1 of ${base} for the check answered ${r.status || r.error}: ${r.text.slice(0, 300)}`);
  return new Map(parseMultistatus(r.text).responses.filter((x) => x.href !== base).map((x) => [x.href, propText(x, GETETAG)]));
}

/** sync-collection from a token: { ok: href → ETag, gone: Set of hrefs }. */
async function syncFrom(ctx, user, coll, token) {
  const body = `<?xml version="1.0" encoding="utf-8"?><D:sync-collection xmlns:D="DAV:"><D:sync-token>${token}</D:sync-token>` +
    "<D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>";
  const r = await ctx.http.request(user, "check-sync", "REPORT", `/calendars/${user.username}/${coll}/`, { headers: { ...XML, Depth: "0" }, body, stats: ctx.checkStats });
  if (r.status !== 207) return { error: `${r.status || r.error}: ${r.text.slice(0, 300)}` };
  const ms = parseMultistatus(r.text);
  const ok = new Map();
  const gone = new Set();
  for (const x of ms.responses) {
    if (x.status === 404) gone.add(x.href);
    else ok.set(x.href, propText(x, GETETAG));
  }
  return { ok, gone };
}

/** null if a sync-collection from `token` names exactly the members PROPFIND lists (with their ETags), else what differs. */
async function syncDiff(ctx, user, coll, token) {
  const listed = await list(ctx, user, coll);
  const s = await syncFrom(ctx, user, coll, token);
  if (s.error) return { kind: "status", message: s.error };
  const missing = [...listed.keys()].filter((h) => !s.ok.has(h));
  const extra = [...s.ok.keys()].filter((h) => !listed.has(h));
  const etags = [...s.ok].filter(([h, e]) => listed.has(h) && listed.get(h) !== e);
  const goneButThere = [...s.gone].filter((h) => listed.has(h));
  if (!missing.length && !extra.length && !etags.length && !goneButThere.length) return null;
  const ex = (xs) => xs.slice(0, 3).join(", ");
  return {
    kind: "inconsistent",
    message: `${missing.length} members not reported (${ex(missing)}), ${extra.length} reported but not members (${ex(extra)}), ` +
      `${etags.length} with another ETag than PROPFIND's (${ex(etags.map(([h, e]) => `${h}: ${e} vs ${listed.get(h)}`))}), ${goneButThere.length} reported deleted but there (${ex(goneButThere)})`,
  };
}

/** Compares the server's state with the model; every finding is flagged on the model. Returns counts for the report. */
export async function finalCheck(ctx, startTokens) {
  const { model } = ctx;
  const now = performance.now();
  const seen = { objects: 0, meetings: 0, copies: 0 };
  const meetingByHref = new Map();
  for (const m of model.meetings.values()) for (const [, href] of meetingHrefs(m)) meetingByHref.set(href, m);

  for (const user of ctx.users) {
    for (const coll of COLLECTIONS) {
      const listed = await list(ctx, user, coll);
      const read = await readAll(ctx, user, coll, [...listed.keys()], "check-multiget");
      // one href per UID
      const byUid = new Map();
      for (const [href, { text }] of read) {
        const uid = uidOf(text);
        if (!byUid.has(uid)) byUid.set(uid, []);
        byUid.get(uid).push(href);
      }
      for (const [uid, hrefs] of byUid) if (hrefs.length > 1) model.flag("duplicated", `${user.username}/${coll}: UID ${uid} at ${hrefs.length} hrefs: ${hrefs.join(", ")}`);
      for (const href of listed.keys()) {
        if (!read.has(href)) model.flag("lost", `${href} is listed by PROPFIND but calendar-multiget returns no calendar-data for it`);
        const known = model.objects.get(href) ?? meetingByHref.get(href);
        if (!known) model.flag("unexpected", `${href} is there (UID ${uidOf(read.get(href)?.text ?? "")}), but the soak never wrote it`);
      }
      // plain objects of this collection
      for (const obj of model.objects.values()) {
        if (obj.user !== user.username || obj.coll !== coll) continue;
        for (const prev of model.offChain(obj)) model.flag("lost", `${obj.href}: the acknowledged write on ETag ${prev} is not on the chain from its creation`, historyText(obj));
        const t = model.tip(obj);
        const got = read.get(obj.href);
        if (t.state === "unknown") continue;
        if (t.state === "absent") {
          if (listed.has(obj.href)) model.flag("unexpected", `${obj.href} is there, but ${t.neverCreated ? "its create was refused" : "its DELETE was acknowledged"}`, historyText(obj));
          continue;
        }
        seen.objects++;
        if (!got) {
          model.flag("lost", `${obj.href} (UID ${obj.uid}) is missing; its last acknowledged write was ${t.mark}`, historyText(obj));
          continue;
        }
        if (uidOf(got.text) !== obj.uid) model.flag("stale", `${obj.href}: UID ${uidOf(got.text)}, written ${obj.uid}`);
        const mark = propOf(got.text, "X-SOAK-MARK");
        if (mark !== t.mark || listed.get(obj.href) !== t.etag)
          model.flag("stale", `${obj.href}: holds ${mark} with ETag ${listed.get(obj.href)}; last acknowledged write ${t.mark} with ETag ${t.etag}`, historyText(obj));
      }
    }
  }

  // meetings: one more read of every copy, judged without waiting
  const read = await readMeetings(ctx, model.meetings.values());
  for (const m of model.meetings.values()) {
    if (m.state === "alive") seen.meetings++;
    for (const a of m.attendees.values()) if (read.has(a.copyHref)) seen.copies++;
    const problems = meetingProblems(m, read, now);
    if (problems.length) model.flag("undelivered", `meeting ${m.uid} (organizer ${m.organizer.username}, ${m.state}): ${problems.join("; ")}`, historyText(m));
  }

  // sync-collection from the token taken before the run names exactly what is there
  for (const user of ctx.users) {
    for (const coll of COLLECTIONS) {
      const token = startTokens.get(`${user.username}/${coll}`);
      if (!token) continue;
      // A copy the server was still rewriting moves between the two requests: look again (bounded) before judging.
      let diff = null;
      for (let attempt = 0; attempt < 3; attempt++) {
        if (attempt) await sleep(2_000);
        diff = await syncDiff(ctx, user, coll, token);
        if (!diff) break;
      }
      if (diff) model.flag(diff.kind, `sync-collection of ${user.username}/${coll} from the token taken before the run, 3 times: ${diff.message}`);
    }
  }
  return seen;
}
