// The soak's model of every acknowledged write, exact under concurrency.
//
// Plain objects are shared by the clients of one home and written only with
// If-None-Match: * (create) and If-Match (update, delete; RFC 7232 §3.1), so
// every 2xx names the version it replaced: the writes of one resource form a
// chain of ETags, creation → e1 → e2 → ... → (deleted). The expected state is
// the end of that chain, whatever order the answers arrived in. Two acknowledged
// writes on the same ETag (a fork) or one off the chain is a lost update.
//
// Meetings belong to one organizer client at a time, and each attendee's copy
// to one client at a time (a per-meeting lock), so scheduling has one known
// outcome too: the organizer changes a meeting only once every acknowledged
// reply shows in its copy, and an attendee answers only from a copy that holds
// the latest version (RFC 5546 §2.1.5 would drop a reply to an older SEQUENCE).

/** Anomaly kinds, as the report groups them; every one fails the run. */
export const ANOMALIES = {
  lost: "an acknowledged object or write is missing",
  unexpected: "an object the model does not hold (or deleted) is there",
  duplicated: "one UID at more than one href of a calendar",
  stale: "an object is there with older content or another ETag than its last acknowledged write",
  undelivered: "an invitation, update, cancellation or reply did not reach a copy",
  inconsistent: "an answer contradicts the acknowledged writes (a read or a 412 that cannot be)",
  status: "an answer with a status no correct server gives to that request",
};

const KEEP = 25;

export class Model {
  constructor() {
    /** href → plain object */
    this.objects = new Map();
    /** uid → meeting */
    this.meetings = new Map();
    /** href → UID, for every href the soak ever wrote or was sent a copy at */
    this.hrefUid = new Map();
    /** href → every marker ever sent to it */
    this.marks = new Map();
    this.anomalies = Object.fromEntries(Object.keys(ANOMALIES).map((k) => [k, { count: 0, examples: [] }]));
    this.deferred = 0;
  }

  flag(kind, message, detail) {
    const a = this.anomalies[kind];
    a.count++;
    if (a.examples.length < KEEP) a.examples.push(detail ? `${message}\n${detail}` : message);
  }

  get ok() {
    return Object.values(this.anomalies).every((a) => a.count === 0);
  }

  // ---- plain objects ---------------------------------------------------------

  /** Registers a plain object before its create is sent. */
  addObject({ href, user, coll, uid, shape }) {
    const obj = {
      href, user, coll, uid, shape, sequence: 0,
      createState: "pending", // acked | refused | unknown
      created: null, // { etag, mark }
      edges: new Map(), // prev ETag → { etag (null: deleted), mark }
      hint: null, // the ETag a client will name next (from the last answer or GET)
      inflight: 0,
      writeSeq: 0,
      uncertain: false, // a write got no answer: its outcome is unknown
      deletes: 0, // deletes started
      deleting: 0, // deletes sent whose answer has not been processed yet
      history: [],
    };
    this.objects.set(href, obj);
    this.hrefUid.set(href, uid);
    return obj;
  }

  sentMark(href, mark) {
    let s = this.marks.get(href);
    if (!s) this.marks.set(href, (s = new Set()));
    s.add(mark);
  }

  log(obj, entry) {
    if (obj.history.length >= 40) obj.history.splice(1, 1);
    obj.history.push(entry);
  }

  /** Where the chain of acknowledged writes ends: { state: "alive", etag, mark } | { state: "absent" } | { state: "unknown" }. */
  tip(obj) {
    if (obj.uncertain || obj.createState === "unknown") return { state: "unknown" };
    if (obj.createState !== "acked") return { state: "absent", neverCreated: true };
    let cur = obj.created;
    const seen = new Set([cur.etag]);
    for (;;) {
      const next = obj.edges.get(cur.etag);
      if (!next) return { state: "alive", etag: cur.etag, mark: cur.mark, walked: seen };
      if (next.etag === null) return { state: "absent", walked: seen };
      if (seen.has(next.etag)) return { state: "unknown" }; // an ETag came back: cannot be with unique markers
      seen.add(next.etag);
      cur = next;
    }
  }

  /** Acknowledged writes that are not on the chain from the creation (a write that was lost). */
  offChain(obj) {
    const t = this.tip(obj);
    if (t.state === "unknown" || !t.walked) return [];
    return [...obj.edges.keys()].filter((prev) => !t.walked.has(prev));
  }

  /** Records a 2xx on a conditional write of `obj` that replaced version `prev`. */
  acked(obj, prev, next) {
    if (obj.edges.has(prev)) {
      const other = obj.edges.get(prev);
      this.flag("lost", `${obj.href}: two writes were both acknowledged on ETag ${prev} (one of them is lost): ${other.etag ?? "DELETE"} and ${next.etag ?? "DELETE"}`, historyText(obj));
    }
    obj.edges.set(prev, next);
    if (next.etag === null) obj.deleted = true;
  }

  /**
   * Whether the object may be gone at the server now: its DELETE was
   * acknowledged or is in flight (so a new resource at its href, or with its
   * UID, may rightly be accepted).
   */
  mayBeGone(obj) {
    return obj.deleting > 0 || this.tip(obj).state !== "alive";
  }

  /** Plain objects of a user whose chain ends alive (candidates for reads, updates, deletes). */
  liveObjects(user, coll) {
    const out = [];
    for (const o of this.objects.values()) {
      if (o.deleted || o.createState !== "acked" || o.user !== user || (coll && o.coll !== coll)) continue; // cheap filters first: the walk is per object
      if (this.tip(o).state === "alive") out.push(o);
    }
    return out;
  }

  // ---- meetings ----------------------------------------------------------------

  addMeeting(m) {
    this.meetings.set(m.uid, m);
    this.hrefUid.set(m.href, m.uid);
    for (const a of m.attendees.values()) this.hrefUid.set(a.copyHref, m.uid);
    return m;
  }

  logMeeting(m, entry) {
    if (m.history.length >= 60) m.history.splice(1, 1);
    m.history.push(entry);
  }
}

export function historyText(x) {
  return x.history.map((h) => `    ${h}`).join("\n");
}
