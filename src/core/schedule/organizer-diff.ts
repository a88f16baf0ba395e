// Who gets what when the Organizer changes a scheduling object resource:
// the per-instance comparison of RFC 6638 §3.2.1.2 between the old and new
// snapshots, with its SCHEDULE-AGENT table (SERVER→removed or →CLIENT/NONE is
// a CANCEL; →SERVER from absent, CLIENT or NONE is a REQUEST), the instance
// rules of §3.2.6 (an Attendee only hears of instances that list them), and
// iTIP (RFC 5546 §3.2.2 REQUEST for new or significantly changed instances,
// §3.2.5 CANCEL for removed Attendees, EXDATEs and STATUS:CANCELLED).
// Pure: snapshots in, decisions out; organizer.ts builds the messages.
import { derivedSame, instanceMap, serverIn } from "./snapshot.js";
import type { InstanceSnap, ScheduleSnapshot } from "./types.js";

export interface AttendeeDecision {
  address: string;
  /** REQUEST with everything the Attendee is invited to (master with EXDATEs for instances without them, and their overrides). */
  full: boolean;
  /** Otherwise, REQUEST with only these overrides. */
  rids: string[];
  /** CANCEL for these instances ("" = the whole event). */
  cancels: string[];
}

const live = (i: InstanceSnap | undefined): i is InstanceSnap => !!i && !i.cancelled;

/**
 * Decisions for every Attendee of either version. `skip` holds addresses that
 * never get messages (the Organizer's own, RFC 6638 §3.2.1). `next` null means
 * the resource was removed (or stopped being a scheduling object resource).
 */
export function diffOrganizer(old: ScheduleSnapshot | null, next: ScheduleSnapshot | null, skip: ReadonlySet<string>): AttendeeDecision[] {
  const olds = instanceMap(old);
  const news = instanceMap(next);
  const oldM = olds.get("");
  const newM = news.get("");
  const addresses = new Set<string>();
  for (const s of [old, next]) for (const i of s?.instances ?? []) for (const a of i.attendees) if (!skip.has(a.address)) addresses.add(a.address);

  /** Was instance `rid` on the Attendee's calendar before (not cancelled, listing them)? */
  const wasLive = (a: string, rid: string): boolean => {
    const oo = olds.get(rid);
    if (oo) return live(oo) && serverIn(oo, a);
    return live(oldM) && serverIn(oldM, a) && !oldM.exdates.includes(rid);
  };
  /** CANCEL for everything the Attendee had. */
  const cancelAll = (a: string): string[] =>
    live(oldM) && serverIn(oldM, a) ? [""] : [...olds.values()].filter((o) => o.rid !== "" && live(o) && serverIn(o, a)).map((o) => o.rid);

  const out: AttendeeDecision[] = [];
  for (const a of addresses) {
    const d: AttendeeDecision = { address: a, full: false, rids: [], cancels: [] };
    out.push(d);
    const masterCancelled = !!newM?.cancelled;
    if (!next || masterCancelled) {
      if (!(masterCancelled && oldM?.cancelled)) d.cancels = cancelAll(a);
      continue;
    }
    const inNewM = serverIn(newM, a);
    const inOldM = live(oldM) && serverIn(oldM, a);
    const newOverrides = [...news.values()].filter((o) => o.rid !== "");
    const listedAnywhere = inNewM || newOverrides.some((o) => serverIn(o, a));
    if (!listedAnywhere) {
      d.cancels = cancelAll(a);
      continue;
    }
    if (inNewM) {
      // A raised SEQUENCE is a significant change for the Attendees too (RFC 6638 §3.2.1.2, RFC 5546 §2.1.4),
      // even when what changed is only the Organizer's own participation.
      if (!inOldM || oldM!.significant !== newM!.significant || newM!.sequence > oldM!.sequence) d.full = true;
      if (oldM) {
        if (oldM.exdates.some((x) => !newM!.exdates.includes(x))) d.full = true; // reinstated instances
        for (const x of newM!.exdates) if (!oldM.exdates.includes(x) && wasLive(a, x)) d.cancels.push(x);
      }
    } else if (inOldM) {
      d.full = true; // dropped from the master, still on some overrides: resend what is left
    }
    for (const o of newOverrides) {
      const oo = olds.get(o.rid);
      if (o.cancelled || !serverIn(o, a)) {
        // Cancelled, or this instance no longer lists them (RFC 6638 §3.2.6: excluded instance).
        if (wasLive(a, o.rid) && !(o.cancelled && oo?.cancelled)) d.cancels.push(o.rid);
        continue;
      }
      if (oo) {
        if (oo.cancelled || !serverIn(oo, a) || oo.significant !== o.significant || o.sequence > oo.sequence) d.rids.push(o.rid);
      } else if (!inOldM || oldM!.exdates.includes(o.rid) || !derivedSame(o, oldM!)) {
        d.rids.push(o.rid);
      }
    }
    for (const oo of olds.values()) {
      if (oo.rid === "" || news.has(oo.rid) || newM?.exdates.includes(oo.rid)) continue;
      // The override was removed: the instance is the master's again.
      if (inNewM) {
        if (!serverIn(oo, a) || oo.cancelled || !derivedSame(oo, newM!)) d.full = true;
      } else if (live(oo) && serverIn(oo, a)) {
        d.cancels.push(oo.rid);
      }
    }
    if ([...news.values()].some((i) => i.attendees.some((x) => x.address === a && x.forceSend === "REQUEST"))) d.full = true;
    // A full REQUEST carries the new EXDATEs and exclusions itself (RFC 6638 §3.2.6).
    if (d.full && inNewM) d.cancels = [];
    if (d.full) d.rids = [];
    d.cancels = [...new Set(d.cancels)];
  }
  return out.filter((d) => d.full || d.rids.length > 0 || d.cancels.length > 0);
}
