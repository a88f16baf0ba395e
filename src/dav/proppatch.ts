// PROPPATCH (RFC 4918 section 9.2): all-or-nothing. Protected properties
// answer cannot-modify-protected-property, invalid values their RFC
// condition, properties the server has no room for 507 (with
// DAV:quota-not-exceeded when the home's quota is the reason, RFC 4331 §6),
// and everything else in a failed request 424.
import { requirePrivilege } from "../core/acl.js";
import { C, unwrap } from "../core/errors.js";
import { locate } from "../core/paths.js";
import { planPatch, type PatchOutcome } from "../core/props/table.js";
import type { Resource } from "../core/props/types.js";
import { groupByStatus, multistatus, propstatResponse } from "../core/xml/multistatus.js";
import { dav } from "../core/xml/names.js";
import { parseProppatch } from "../core/xml/requests.js";
import { el } from "../core/xml/tree.js";
import type { PropsRefused, PropTarget } from "../home/calendar-home.js";
import { xmlResponse } from "../http/render.js";
import { bodyText, type DavContext, type DavRequest } from "./context.js";
import { resolve } from "./resolve.js";
import { dataOf } from "./shared.js";
import { patchProxyGroup } from "./delegation.js";

function targetOf(r: Resource): { owner: string; target: PropTarget } | undefined {
  switch (r.kind) {
    case "principal":
      return { owner: r.principal.id, target: { scope: "principal" } };
    case "home":
      return { owner: r.owner.id, target: { scope: "home" } };
    case "calendar":
      // A sharee's properties of a shared calendar are its own (displayname, colour), kept in its home.
      if (r.collection.shared) return { owner: r.owner.id, target: { scope: "mount", mount: r.collection.name } };
      return { owner: r.owner.id, target: { scope: "collection", collection: r.collection.name } };
    case "inbox":
    case "outbox":
      return { owner: r.owner.id, target: { scope: "collection", collection: r.collection.name } };
    case "object": {
      // An object's properties are the calendar's: in the owner's home (write-properties was required above).
      const data = dataOf(r.owner.id, r.collection);
      return { owner: data.home, target: { scope: "object", collection: data.collection, name: r.object.name } };
    }
    default:
      return undefined;
  }
}

function refuse(outcomes: PatchOutcome[], refused: PropsRefused): void {
  const names = new Set(refused.names);
  for (const o of outcomes) {
    if (names.has(o.name)) Object.assign(o, { status: 507, error: refused.quota ? el(C.quotaNotExceeded) : undefined });
    else o.status = 424;
  }
}

export async function proppatch(req: DavRequest, ctx: DavContext): Promise<Response> {
  const ops = parseProppatch(bodyText(req));
  const r = await resolve(locate(req.url.pathname), ctx);
  if (r.kind === "proxy-group") return patchProxyGroup(r, ops, ctx, req.url);
  requirePrivilege(ctx.user, r, dav("write-properties"));
  const plan = planPatch(r, ops);
  const t = targetOf(r);
  if (plan.ok && t) {
    // A write delegate's change at the boss's URL: the boss's home checks the proxy groups again as it writes.
    const asDelegate = "owner" in r && r.owner.id !== ctx.user.id && t.owner === r.owner.id ? { id: ctx.user.id, href: r.href } : undefined;
    // The home re-checks the caps against what is stored now, and the quota; a refusal wrote nothing.
    const refused = unwrap(await ctx.home(t.owner).patchProps(t.target, plan.changes, asDelegate));
    if (refused) refuse(plan.outcomes, refused);
  }
  // Properties are grouped by status and error, so each failure keeps its own DAV:error element.
  const groups = groupByStatus(plan.outcomes.map((o) => ({ prop: el(o.name), status: o.status, ...(o.error ? { error: o.error } : {}) })));
  return xmlResponse(207, multistatus([propstatResponse(r.href, groups)]));
}
