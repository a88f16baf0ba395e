// PROPFIND (RFC 4918 section 9.1): Depth 0 or 1 (infinity is refused with
// DAV:propfind-finite-depth), prop / allprop with include / propname, and
// Prefer: return=minimal (RFC 8144) or Brief: t to drop 404 propstats.
import { C, DavError, badRequest } from "../core/errors.js";
import { locate } from "../core/paths.js";
import { findProps } from "../core/props/table.js";
import type { Resource } from "../core/props/types.js";
import { groupByStatus, multistatus, propstatResponse } from "../core/xml/multistatus.js";
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

export function propResponse(r: Resource, req: PropfindRequest, ctx: DavContext, minimal: boolean): XmlElement {
  const values = findProps(r, req, ctx.props);
  const entries = values
    .filter((v) => !(minimal && v.value === undefined))
    .map((v) => ({ prop: v.value ?? el(v.name), status: v.value === undefined ? 404 : 200 }));
  return propstatResponse(r.href, groupByStatus(entries));
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
  const responses = resources.map((r) => propResponse(r, body, ctx, minimal));
  return xmlResponse(207, multistatus(responses), minimal ? { "Preference-Applied": "return=minimal" } : {});
}
