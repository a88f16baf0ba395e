// The property table: every live property this server knows, by Clark name.
// PROPFIND (RFC 4918 section 9.1), PROPPATCH (section 9.2) and the initial
// properties of extended MKCOL / MKCALENDAR all answer from it; anything
// not in it is a dead property kept as the client sent it, within the caps
// of limits.ts.
import { DavError, C } from "../errors.js";
import type { PropMap } from "../model.js";
import type { Clark } from "../xml/names.js";
import type { PropfindRequest, PropPatchOp } from "../xml/requests.js";
import { el, type XmlElement } from "../xml/tree.js";
import { aclProperties } from "./acl.js";
import { overflows, propBytes } from "./limits.js";
import { appleProperties } from "./apple.js";
import { caldavProperties } from "./caldav.js";
import { davProperties } from "./dav.js";
import { personalProperties } from "./personal.js";
import { scheduleProperties } from "./schedule.js";
import { sharingProperties } from "./sharing.js";
import { delegationProperties } from "./delegation.js";
import { propsOf, type PropContext, type PropertyDef, type Resource } from "./types.js";

const DEFS: PropertyDef[] = [...davProperties, ...aclProperties, ...caldavProperties, ...scheduleProperties, ...appleProperties, ...personalProperties, ...sharingProperties, ...delegationProperties];
export const PROPERTIES: ReadonlyMap<Clark, PropertyDef> = new Map(DEFS.map((d) => [d.name, d]));

const defFor = (name: Clark, r: Resource) => {
  const d = PROPERTIES.get(name);
  return d && d.on.includes(r.kind) ? d : undefined;
};

export interface PropValue {
  name: Clark;
  /** The element to return, or undefined for a 404. */
  value: XmlElement | undefined;
}

function lookup(name: Clark, r: Resource, ctx: PropContext): XmlElement | undefined {
  const def = defFor(name, r);
  if (def) return def.get(r, ctx);
  return propsOf(r)?.[name];
}

/** Evaluates a PROPFIND request against one resource. */
export function findProps(r: Resource, req: PropfindRequest, ctx: PropContext): PropValue[] {
  if (req.type === "prop") return req.names.map((name) => ({ name, value: lookup(name, r, ctx) }));
  const out: PropValue[] = [];
  const seen = new Set<Clark>();
  const add = (name: Clark, value: XmlElement | undefined) => {
    if (seen.has(name) || value === undefined) return;
    seen.add(name);
    out.push({ name, value: req.type === "propname" ? el(name) : value });
  };
  for (const d of DEFS) if (d.on.includes(r.kind) && (d.allprop || req.type === "propname")) add(d.name, d.get(r, ctx));
  for (const [name, value] of Object.entries(propsOf(r) ?? {})) if (!defFor(name, r) || req.type === "propname") add(name, value);
  if (req.type === "allprop") for (const name of req.include) if (!seen.has(name)) out.push({ name, value: lookup(name, r, ctx) });
  return out;
}

export interface PatchOutcome {
  name: Clark;
  status: number;
  error?: XmlElement | undefined;
  description?: string | undefined;
}

export interface PatchPlan {
  ok: boolean;
  changes: Array<{ name: Clark; value: XmlElement | null }>;
  outcomes: PatchOutcome[];
}

/**
 * Validates a PROPPATCH (or the initial properties of MKCOL/MKCALENDAR, creation.ts)
 * as a whole: either every change can be made, or none is and the others answer
 * 424 Failed Dependency (RFC 4918 section 9.2).
 */
export function planPatch(r: Resource, ops: PropPatchOp[]): PatchPlan {
  const outcomes: PatchOutcome[] = [];
  const changes: PatchPlan["changes"] = [];
  const hasStore = propsOf(r) !== undefined;
  for (const op of ops) {
    const name = op.op === "set" ? op.prop.name : op.name;
    try {
      const def = defFor(name, r);
      if (!hasStore) throw new DavError(403, { description: "this resource has no writable properties" });
      // A live property's name is protected on every resource, not only where it has a value.
      if (PROPERTIES.get(name)?.protected)
        throw new DavError(403, { condition: el(C.cannotModifyProtected), description: `${name} is protected` });
      if (op.op === "set" && def?.validate) def.validate(op.prop, r);
      changes.push({ name, value: op.op === "set" ? op.prop : null });
      outcomes.push({ name, status: 200 });
    } catch (e) {
      if (!(e instanceof DavError)) throw e;
      outcomes.push({ name, status: e.status, error: e.condition, description: e.message });
    }
  }
  if (outcomes.every((o) => o.status === 200)) refuseOverflows(propsOf(r) ?? {}, changes, outcomes);
  const ok = outcomes.every((o) => o.status === 200);
  if (!ok) for (const o of outcomes) if (o.status === 200) o.status = 424;
  return { ok, changes: ok ? changes : [], outcomes };
}

/** Marks the changes that would pass a cap of limits.ts as 507 Insufficient Storage (RFC 4918 §9.2.1). */
function refuseOverflows(stored: PropMap, changes: PatchPlan["changes"], outcomes: PatchOutcome[]): void {
  const over = overflows(
    Object.entries(stored).map(([name, value]) => ({ name, bytes: propBytes(name, value) })),
    changes.map((c) => ({ name: c.name, bytes: c.value === null ? null : propBytes(c.name, c.value) })),
  );
  for (const o of outcomes) {
    const why = over.get(o.name);
    if (why) Object.assign(o, { status: 507, description: STORAGE[why] });
  }
}

const STORAGE = {
  value: "the property value is larger than this server keeps",
  count: "the resource has as many properties as this server keeps",
  size: "the resource's properties together are larger than this server keeps",
} as const;

/** Applies planned changes to a property map (for creation, where nothing is stored yet). */
export function applyChanges(base: PropMap, changes: PatchPlan["changes"]): PropMap {
  const out: PropMap = { ...base };
  for (const c of changes) {
    if (c.value === null) delete out[c.name];
    else out[c.name] = c.value;
  }
  return out;
}
