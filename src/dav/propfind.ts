// PROPFIND (RFC 4918 section 9.1): Depth 0 or 1 (infinity is refused with
// DAV:propfind-finite-depth), prop / allprop with include / propname, and
// Prefer: return=minimal (RFC 8144) or Brief: t to drop 404 propstats.
import { C, DavError, badRequest } from "../core/errors.js";
import { locate } from "../core/paths.js";
import { findProps } from "../core/props/table.js";
import type { Resource } from "../core/props/types.js";
import { MultistatusText, propstatResponse, type PropstatGroup } from "../core/xml/multistatus.js";
import { parsePropfind, type PropfindRequest } from "../core/xml/requests.js";
import { el, type XmlElement } from "../core/xml/tree.js";
import { xmlResponse } from "../http/render.js";
import { bodyText, type DavContext, type DavRequest } from "./context.js";
import { members, objectMembers, resolveWith } from "./resolve.js";
import { unpackObjects } from "../core/wire.js";

export function parseDepth(value: string | null, fallback: "0" | "1" | "infinity"): "0" | "1" | "infinity" {
  const v = (value ?? fallback).trim().toLowerCase();
  if (v === "0" || v === "1" || v === "infinity") return v;
  throw badRequest(`invalid Depth ${value}`);
}

/** RFC 8144 Prefer: return=minimal, and Apple's older Brief: t. */
export const wantsMinimal = (h: Headers) =>
  /\breturn\s*=\s*minimal\b/i.test(h.get("prefer") ?? "") || (h.get("brief") ?? "").trim().toLowerCase() === "t";

/** The propstats of one resource: its values (200) and, unless the client asked for minimal answers, what it lacks (404). */
export function propGroups(r: Resource, req: PropfindRequest, ctx: DavContext, minimal: boolean): PropstatGroup[] {
  const found: XmlElement[] = [];
  const missing: XmlElement[] = [];
  for (const v of findProps(r, req, ctx.props)) {
    if (v.value !== undefined) found.push(v.value);
    else if (!minimal) missing.push(el(v.name));
  }
  return [{ status: 200, props: found }, { status: 404, props: missing }];
}

export function propResponse(r: Resource, req: PropfindRequest, ctx: DavContext, minimal: boolean): XmlElement {
  return propstatResponse(r.href, propGroups(r, req, ctx, minimal));
}

export async function propfind(req: DavRequest, ctx: DavContext): Promise<Response> {
  const depth = parseDepth(req.headers.get("depth"), "infinity");
  if (depth === "infinity")
    throw new DavError(403, { condition: el(C.propfindFiniteDepth), description: "Depth: infinity is not supported" });
  const body = parsePropfind(bodyText(req));
  // A collection's members come with the collection in one round trip to the home.
  const { resource: target, result } = await resolveWith(locate(req.url.pathname), ctx, depth === "1" ? { kind: "list" } : { kind: "none" });
  const listed = result.kind === "list" && (target.kind === "calendar" || target.kind === "inbox" || target.kind === "outbox")
    ? objectMembers(target, unpackObjects(result.objects))
    : undefined;
  const resources = depth === "1" ? [target, ...(listed ?? (await members(target, ctx)))] : [target];
  const minimal = wantsMinimal(req.headers);
  const out = new MultistatusText();
  for (const r of resources) out.propstat(r.href, propGroups(r, body, ctx, minimal));
  return xmlResponse(207, out.text(), minimal ? { "Preference-Applied": "return=minimal" } : {});
}
