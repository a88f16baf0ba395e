// Meetings a read-write sharee organizes as itself in a calendar shared with
// it (README "Sharing"; RFC 6638 with the CalendarServer sharing notes). The
// organizer's copy lives in the owner's home, which sends its messages with
// the sharee as their sender (ItipJob.sharee) and merges the attendees'
// replies; the sharee's home, which has no copy, names the owners whose
// calendars it has mounted so the replies can be taken there, and keeps a
// merged reply in its inbox (home/inbound.ts "keep"). Every decision
// is read from the owner's share rows in the transaction that acts on it:
// an accepted read-write invitation to the calendar that holds the copy.
import type { ItipJob } from "../core/itip-job.js";
import type { ShareeRef } from "../core/model.js";
import type { Sql } from "../sql.js";

/** The owners a reply to a meeting of this home's principal may be hosted by: at most this many are asked. */
export const MAX_HOSTS = 100;

/**
 * The jobs of a write, each speaking for a sharee only when that is the sharee this home has just checked for the
 * write (`asSharee`, in the same transaction): a job cannot name another principal as its sender.
 */
export function checkedJobs(jobs: ItipJob[], asSharee: ShareeRef | undefined): ItipJob[] {
  return jobs.map(({ sharee, ...job }) => (sharee !== undefined && sharee === asSharee?.id ? { ...job, sharee } : job));
}

/** Whether `sharee` holds an accepted read-write invitation to the collection `collectionId` of this home. */
export function mayHost(sql: Sql, collectionId: number, sharee: string): boolean {
  return sql.one(
    "SELECT 1 AS x FROM shares WHERE collection_id = ? AND sharee = ? AND status = 'accepted' AND access = 'read-write'",
    collectionId, sharee,
  ) !== undefined;
}

/** The owners of the calendars mounted in this (a sharee's) home: where a meeting it organizes may be kept. */
export function hostOwners(sql: Sql): string[] {
  return sql.all<{ owner: string }>("SELECT DISTINCT owner FROM mounts ORDER BY owner LIMIT ?", MAX_HOSTS).map((r) => r.owner);
}
