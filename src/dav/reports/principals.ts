// Principal reports: principal-property-search and
// principal-search-property-set (RFC 3744 sections 9.4, 9.5), principal-match
// (section 9.3) and expand-property (RFC 3253 section 3.8), which Apple
// uses during discovery.
import { badRequest, DavError } from "../../core/errors.js";
import { hrefs, locateHref } from "../../core/paths.js";
import { SEARCHABLE, searchPrincipals, type PropertySearch } from "../../core/principal-search.js";
import { findProps } from "../../core/props/table.js";
import type { Resource } from "../../core/props/types.js";
import { groupByStatus, multistatus, propstatResponse, statusResponse } from "../../core/xml/multistatus.js";
import { clark, dav, type Clark } from "../../core/xml/names.js";
import { parsePropSelection } from "../../core/xml/requests.js";
import { child, childElements, el, isElement, textOf, type XmlElement } from "../../core/xml/tree.js";
import { xmlResponse } from "../../http/render.js";
import { cachedPrincipals } from "../../directory/cache.js";
import type { DavContext, DavRequest } from "../context.js";
import { propResponse, wantsMinimal } from "../propfind.js";
import { members, resolve } from "../resolve.js";
import type { ReportTarget } from "./table.js";

const principalResource = (p: import("../../core/model.js").Principal): Resource => ({
  kind: "principal",
  href: hrefs.principal(p.id),
  principal: p,
  props: {},
});

/** These reports are defined for Depth: 0 only (RFC 3744 §9.3-§9.5). */
function depthZero(req: DavRequest): void {
  if ((req.headers.get("depth") ?? "0").trim() !== "0") throw badRequest("this report is defined for Depth: 0 (RFC 3744 section 9)");
}

export async function principalPropertySearch(doc: XmlElement, at: ReportTarget, req: DavRequest, ctx: DavContext): Promise<Response> {
  const target = (await at.resolve()).resource;
  depthZero(req);
  const searches: PropertySearch[] = childElements(doc)
    .filter((c) => c.name === dav("property-search"))
    .map((ps) => {
      const prop = child(ps, dav("prop"));
      const match = child(ps, dav("match"));
      if (!prop || !match) throw badRequest("property-search needs DAV:prop and DAV:match");
      const matchType = (match.attrs["match-type"] ?? "contains") as PropertySearch["matchType"];
      return { props: childElements(prop).map((e) => e.name), match: textOf(match), matchType };
    });
  if (searches.length === 0) throw badRequest("principal-property-search needs a property-search");
  const test = (doc.attrs["test"] ?? "allof").toLowerCase() === "anyof" ? "anyof" : "allof";
  // The principal collection itself, or any resource with apply-to-principal-collection-set.
  // Off the principal collection, only apply-to-principal-collection-set gives principals to search (RFC 3744 §9.4).
  if (target.kind !== "principals" && !child(doc, dav("apply-to-principal-collection-set"))) return xmlResponse(207, multistatus([]));
  // Searching tolerates the mirror's lag; an empty mirror (fresh deployment) falls back to the directory.
  const all = (await cachedPrincipals(ctx.env.DIRECTORY_CACHE)) ?? (await ctx.directory.listPrincipals());
  const found = searchPrincipals(all, searches, test);
  const selection = parsePropSelection(doc);
  const minimal = wantsMinimal(req.headers);
  return xmlResponse(207, multistatus(found.map((p) => propResponse(principalResource(p), selection, ctx, minimal))));
}

export async function principalSearchPropertySet(_doc: XmlElement, at: ReportTarget, req: DavRequest, _ctx: DavContext): Promise<Response> {
  await at.resolve();
  depthZero(req);
  const entries = [...SEARCHABLE].map(([name, s]) =>
    el(dav("principal-search-property"), [el(dav("prop"), [el(name)]), el(dav("description"), [s.description], { "{http://www.w3.org/XML/1998/namespace}lang": "en" })]),
  );
  return xmlResponse(200, el(dav("principal-search-property-set"), entries));
}

/** Members at any depth (RFC 3744 §9.3): a home's calendars and their objects. */
async function descendants(r: Resource, ctx: DavContext): Promise<Resource[]> {
  const direct = await members(r, ctx);
  const nested = await Promise.all(direct.filter((m) => m.kind === "calendar" || m.kind === "inbox" || m.kind === "outbox").map((m) => members(m, ctx)));
  return [...direct, ...nested.flat()];
}

export async function principalMatch(doc: XmlElement, at: ReportTarget, req: DavRequest, ctx: DavContext): Promise<Response> {
  const target = (await at.resolve()).resource;
  depthZero(req);
  const selection = parsePropSelection(doc);
  const minimal = wantsMinimal(req.headers);
  if (child(doc, dav("self"))) {
    // Members of the target that are, or belong to, the current user.
    const candidates = target.kind === "principals" ? [principalResource(ctx.user)] : await members(target, ctx);
    const mine = candidates.filter((r) => (r.kind === "principal" ? r.principal.id === ctx.user.id : "owner" in r && r.owner.id === ctx.user.id));
    return xmlResponse(207, multistatus(mine.map((r) => propResponse(r, selection, ctx, minimal))));
  }
  const pp = child(doc, dav("principal-property"));
  if (!pp || !childElements(pp)[0]) throw badRequest("principal-match needs DAV:self or DAV:principal-property");
  const property = childElements(pp)[0]!.name;
  const mine = hrefs.principal(ctx.user.id);
  const matching = (await descendants(target, ctx)).filter((r) => {
    const v = findProps(r, { type: "prop", names: [property] }, ctx.props)[0]?.value;
    return v !== undefined && childElements(v).some((h) => h.name === dav("href") && textOf(h).trim() === mine);
  });
  return xmlResponse(207, multistatus(matching.map((r) => propResponse(r, selection, ctx, minimal))));
}

/** expand-property: DAV:property elements, nested to follow hrefs (RFC 3253 section 3.8). */
interface Expansion {
  name: Clark;
  nested: Expansion[];
}

function parseExpansions(e: XmlElement): Expansion[] {
  return childElements(e)
    .filter((c) => c.name === dav("property"))
    .map((p) => {
      const name = p.attrs["name"];
      if (!name) throw badRequest("DAV:property needs a name");
      return { name: clark(p.attrs["namespace"] ?? "DAV:", name), nested: parseExpansions(p) };
    });
}

async function expandResponse(r: Resource, wanted: Expansion[], ctx: DavContext, req: DavRequest, depth: number): Promise<XmlElement> {
  const values = findProps(r, { type: "prop", names: wanted.map((w) => w.name) }, ctx.props);
  const entries: Array<{ prop: XmlElement; status: number }> = [];
  for (const [i, v] of values.entries()) {
    const w = wanted[i]!;
    if (v.value === undefined) {
      entries.push({ prop: el(v.name), status: 404 });
      continue;
    }
    if (w.nested.length === 0 || depth > 3) {
      entries.push({ prop: v.value, status: 200 });
      continue;
    }
    // Each href in the value becomes the response of the resource it names.
    const children: XmlElement[] = [];
    for (const c of v.value.children) {
      if (!isElement(c) || c.name !== dav("href")) continue;
      const href = textOf(c).trim();
      try {
        const inner = await resolve(locateHref(href, req.url), ctx);
        children.push(await expandResponse(inner, w.nested, ctx, req, depth + 1));
      } catch (e) {
        if (!(e instanceof DavError)) throw e;
        children.push(statusResponse(href, e.status));
      }
    }
    entries.push({ prop: el(v.name, children), status: 200 });
  }
  return propstatResponse(r.href, groupByStatus(entries));
}

export async function expandProperty(doc: XmlElement, at: ReportTarget, req: DavRequest, ctx: DavContext): Promise<Response> {
  const target = (await at.resolve()).resource;
  const wanted = parseExpansions(doc);
  if (wanted.length === 0) throw badRequest("expand-property needs DAV:property elements");
  return xmlResponse(207, multistatus([await expandResponse(target, wanted, ctx, req, 0)]));
}
