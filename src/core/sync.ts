// Sync tokens (RFC 6578 section 4): opaque URIs naming the home's epoch,
// the collection and a revision. A token from another collection, another
// incarnation of the home, or the future is invalid (DAV:valid-sync-token),
// and so is any token that is not byte for byte one this server issued
// (RFC 6578 §3.2: the server validates the token it gets).
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

/** Longer than any token formatSyncToken makes (a 12-character epoch and two safe integers). */
const MAX_TOKEN_LENGTH = 128;
const SHAPE = /^([0-9A-Za-z]+):(\d{1,16}):(\d{1,16})$/;

/** The parts of a token, only when formatting them gives back exactly the token (no extra parts, characters or zeros). */
export function parseSyncToken(token: string): SyncToken | undefined {
  if (token.length > MAX_TOKEN_LENGTH || !token.startsWith(PREFIX)) return undefined;
  const m = SHAPE.exec(token.slice(PREFIX.length));
  if (!m) return undefined;
  const t = { epoch: m[1]!, collectionId: Number(m[2]), rev: Number(m[3]) };
  if (!Number.isSafeInteger(t.collectionId) || !Number.isSafeInteger(t.rev)) return undefined;
  return formatSyncToken(t.epoch, t.collectionId, t.rev) === token ? t : undefined;
}

/** The token in a DAV:sync-token element: only XML white space around it is dropped (XML 1.0 §2.3 S), nothing else. */
export const tokenText = (text: string) => text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "");

export const invalidSyncToken = (why: string) =>
  new DavError(403, { condition: el(C.validSyncToken), description: `invalid sync token: ${why}` });
