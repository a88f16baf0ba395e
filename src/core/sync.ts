// Sync tokens (RFC 6578 section 4): opaque URIs naming the home's epoch,
// the collection and a revision. A token from another collection, another
// incarnation of the home, or the future is invalid (DAV:valid-sync-token).
import { C, DavError } from "./errors.js";
import { el } from "./xml/tree.js";

const PREFIX = "urn:x-edge-caldav:sync:";

export function formatSyncToken(epoch: string, collectionId: number, rev: number): string {
  return `${PREFIX}${epoch}:${collectionId}:${rev}`;
}

export interface SyncToken {
  epoch: string;
  collectionId: number;
  rev: number;
}

export function parseSyncToken(token: string): SyncToken | undefined {
  if (!token.startsWith(PREFIX)) return undefined;
  const [epoch, id, rev] = token.slice(PREFIX.length).split(":");
  if (!epoch || !/^\d+$/.test(id ?? "") || !/^\d+$/.test(rev ?? "")) return undefined;
  return { epoch, collectionId: Number(id), rev: Number(rev) };
}

export const invalidSyncToken = (why: string) =>
  new DavError(403, { condition: el(C.validSyncToken), description: `invalid sync token: ${why}` });
