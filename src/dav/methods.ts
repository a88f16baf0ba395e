// The method table: which handler serves each HTTP method, and how large a
// body it accepts. Routing, Allow and OPTIONS all come from here.
import { DavError } from "../core/errors.js";
import type { DavContext, DavRequest } from "./context.js";
import { copyMove } from "./copy-move.js";
import { del } from "./delete.js";
import { get } from "./get.js";
import { mkcalendar, mkcol } from "./mkcalendar.js";
import { optionsResponse } from "./options.js";
import { propfind } from "./propfind.js";
import { proppatch } from "./proppatch.js";
import { put } from "./put.js";
import { report } from "./report.js";
import { post } from "./post.js";

export type Handler = (req: DavRequest, ctx: DavContext) => Promise<Response>;

/** "xml": a request body of XML; "resource": a calendar object (max-resource-size); "none": small or empty. */
export type BodyKind = "xml" | "resource" | "none";

export interface MethodEntry {
  handler: Handler;
  body: BodyKind;
}

const acl: Handler = async () => {
  throw new DavError(403, { description: "access control lists are fixed on this server" });
};

export const METHODS: Readonly<Record<string, MethodEntry>> = {
  OPTIONS: { handler: async () => optionsResponse(), body: "none" },
  GET: { handler: get, body: "none" },
  HEAD: { handler: get, body: "none" },
  PUT: { handler: put, body: "resource" },
  DELETE: { handler: del, body: "none" },
  PROPFIND: { handler: propfind, body: "xml" },
  PROPPATCH: { handler: proppatch, body: "xml" },
  MKCOL: { handler: mkcol, body: "xml" },
  MKCALENDAR: { handler: mkcalendar, body: "xml" },
  REPORT: { handler: report, body: "xml" },
  COPY: { handler: copyMove, body: "none" },
  MOVE: { handler: copyMove, body: "none" },
  ACL: { handler: acl, body: "xml" },
  POST: { handler: post, body: "resource" },
};

export const allowedMethods = () => Object.keys(METHODS);

/** Methods a proxy may tunnel through POST with X-HTTP-Method-Override (workerd rejects MKCALENDAR itself). */
export const OVERRIDABLE = new Set(["MKCALENDAR"]);

/**
 * Methods registered with IANA (HTTP Method Registry) that this server knows but does not allow: 405, not 501
 * (RFC 9110 §15.5.6, §15.6.2). WebDAV locking (no class 2), PATCH, SEARCH (RFC 5323), binding (RFC 5842),
 * versioning (RFC 3253), ordering (RFC 3648), redirect references (RFC 4437). Only a method nobody registered is 501.
 */
const KNOWN_NOT_ALLOWED = new Set([
  "LOCK", "UNLOCK", "PATCH", "QUERY", "SEARCH", "BIND", "UNBIND", "REBIND", "ORDERPATCH", "MKREDIRECTREF", "UPDATEREDIRECTREF",
  "VERSION-CONTROL", "REPORT-VERSION", "CHECKOUT", "CHECKIN", "UNCHECKOUT", "MKWORKSPACE", "UPDATE", "LABEL", "MERGE",
  "BASELINE-CONTROL", "MKACTIVITY", "PRI", "CONNECT", "TRACE",
]);

/** The entry for a method; anything else is 405 or 501, never a lookup on Object.prototype ("constructor"). */
export function methodEntry(method: string): MethodEntry {
  if (Object.hasOwn(METHODS, method)) return METHODS[method]!;
  throw new DavError(KNOWN_NOT_ALLOWED.has(method) ? 405 : 501, {
    description: `${method.length > 40 ? `${method.slice(0, 40)}...` : method} is not supported here`,
    headers: { Allow: allowedMethods().join(", ") },
  });
}
