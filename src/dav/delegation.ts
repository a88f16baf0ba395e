// PROPPATCH of a proxy group's DAV:group-member-set (calendar-proxy, as Apple
// Calendar's Delegation settings send it): only the group's owner sets it,
// whole; every member must be a principal of this server (403
// DAV:recognized-principal otherwise, RFC 3744 §8.1.1's condition for an
// unknown principal), never the owner itself, at most 100 per group. The
// owner's home commits the members (the authority); each delegate's home is
// then told, for its calendar-proxy-*-for (best effort, like share notices).
import { requirePrivilege } from "../core/acl.js";
import { mapLimit } from "../core/async.js";
import { DELEGATION_LIMITS } from "../core/delegation/model.js";
import { DavError, unwrap } from "../core/errors.js";
import { planPatch, type PatchOutcome } from "../core/props/table.js";
import type { Resource } from "../core/props/types.js";
import { groupByStatus, multistatus, propstatResponse } from "../core/xml/multistatus.js";
import { dav } from "../core/xml/names.js";
import type { PropPatchOp } from "../core/xml/requests.js";
import { childElements, el, textOf } from "../core/xml/tree.js";
import { xmlResponse } from "../http/render.js";
import type { DavContext } from "./context.js";
import { shareeOf } from "./sharing.js";

type ProxyGroup = Extract<Resource, { kind: "proxy-group" }>;

const MEMBER_SET = dav("group-member-set");

/** The principal ids an op names, or the reason it cannot be applied. */
async function membersOf(op: PropPatchOp, r: ProxyGroup, ctx: DavContext, base: URL): Promise<string[]> {
  if (op.op === "remove") return [];
  const named = childElements(op.prop).filter((e) => e.name === dav("href"));
  if (named.length > DELEGATION_LIMITS.perGroup) throw new DavError(403, { description: `a proxy group has at most ${DELEGATION_LIMITS.perGroup} members` });
  const found = await mapLimit(named.map((h) => textOf(h).trim()), 6, async (href) => ({ href, who: await shareeOf(href, ctx, base) }));
  const unknown = found.filter((f) => !f.who).map((f) => f.href);
  if (unknown.length) throw new DavError(403, { condition: el(dav("recognized-principal")), description: `not a principal of this server: ${unknown.join(", ")}` });
  const ids = found.map((f) => f.who!.id);
  if (ids.includes(r.principal.id)) throw new DavError(403, { description: "a principal cannot be its own delegate" });
  return ids;
}

export async function patchProxyGroup(r: ProxyGroup, ops: PropPatchOp[], ctx: DavContext, base: URL): Promise<Response> {
  requirePrivilege(ctx.user, r, dav("write-properties"));
  const memberOps = ops.filter((o) => (o.op === "set" ? o.prop.name : o.name) === MEMBER_SET);
  // Every other property of a group is protected or has nowhere to be kept: the table says which.
  const outcomes: PatchOutcome[] = planPatch(r, ops.filter((o) => !memberOps.includes(o))).outcomes;
  let members: string[] | undefined;
  for (const op of memberOps) {
    try {
      members = await membersOf(op, r, ctx, base);
      outcomes.push({ name: MEMBER_SET, status: 200 });
    } catch (e) {
      if (!(e instanceof DavError)) throw e;
      outcomes.push({ name: MEMBER_SET, status: e.status, error: e.condition, description: e.message });
    }
  }
  const ok = outcomes.every((o) => o.status === 200);
  if (!ok) for (const o of outcomes) if (o.status === 200) o.status = 424;
  if (ok && members) {
    const { added, removed } = unwrap(await ctx.home(r.principal.id).setProxyGroup(r.group, members));
    await tellDelegates(ctx, r, added, removed);
  }
  // The reason goes along (DAV:responsedescription in the propstat, RFC 4918 §14.22), for a person reading the answer.
  const groups = groupByStatus(outcomes.map((o) => ({ prop: el(o.name), status: o.status, ...(o.error ? { error: o.error } : {}), ...(o.description ? { description: o.description } : {}) })));
  return xmlResponse(207, multistatus([propstatResponse(r.href, groups)]));
}

/** Each delegate's home keeps a pointer for its -for properties; access never depends on it, so failures are logged. */
async function tellDelegates(ctx: DavContext, r: ProxyGroup, added: string[], removed: string[]): Promise<void> {
  const changes = [...added.map((id) => ({ id, member: true })), ...removed.map((id) => ({ id, member: false }))];
  await mapLimit(changes, 6, async ({ id, member }) => {
    try {
      // A deleted principal's home is gone: nothing to tell, and nothing to make again.
      if (!(await ctx.principal(id))) return;
      await ctx.home(id).proxyPointer(r.principal.id, r.group, member);
    } catch (e) {
      console.error(`delegation: could not tell ${id}: ${(e as Error).message}`);
    }
  });
}
