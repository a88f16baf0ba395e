// The initial properties of a new calendar collection, for MKCALENDAR (RFC
// 4791 §5.3.1) and extended MKCOL (RFC 5689 §3): all are set or none, and
// each gets its own outcome for the per-property response of a failure.
// DAV:resourcetype must name a calendar collection (RFC 5689 §3.3
// valid-resourcetype), the component set only known components (RFC 4791
// §5.2.3); everything else is checked as PROPPATCH checks it (table.ts:
// protected properties, values, the caps of limits.ts).
import { C, precondition, DavError } from "../errors.js";
import type { PropMap } from "../model.js";
import { caldav, dav, type Clark } from "../xml/names.js";
import { el } from "../xml/tree.js";
import type { CreateRequest } from "../xml/requests.js";
import { componentSet } from "./caldav.js";
import { applyChanges, planPatch, type PatchOutcome } from "./table.js";
import type { Resource } from "./types.js";

export const DEFAULT_COMPONENTS = ["VEVENT", "VTODO"];

const RESOURCETYPE = dav("resourcetype");
const COMPONENT_SET = caldav("supported-calendar-component-set");
const CALENDAR_TYPE: ReadonlySet<Clark> = new Set([dav("collection"), caldav("calendar")]);

export interface CreationPlan {
  ok: boolean;
  /** The calendar's component set (RFC 4791 §5.2.3), kept beside its properties. */
  components: string[];
  /** The properties to store with the new collection; empty unless ok. */
  props: PropMap;
  outcomes: PatchOutcome[];
}

function outcome(name: Clark, check: () => void): PatchOutcome {
  try {
    check();
    return { name, status: 200 };
  } catch (e) {
    if (!(e instanceof DavError)) throw e;
    return { name, status: e.status, error: e.condition, description: e.message };
  }
}

/** A resourcetype other than exactly collection + calendar is one this server cannot create here. */
function checkResourcetype(names: readonly Clark[]): void {
  const set = new Set(names);
  if (set.size !== CALENDAR_TYPE.size || [...set].some((n) => !CALENDAR_TYPE.has(n)))
    throw precondition(403, C.validResourcetype, "only calendar collections can be created here");
}

/** Checks every initial property of a calendar about to be created at `draft`; nothing is written. */
export function planCreation(draft: Resource, req: CreateRequest): CreationPlan {
  let components = DEFAULT_COMPONENTS;
  const own: PatchOutcome[] = [];
  if (req.resourcetype !== undefined) {
    const names = req.resourcetype;
    own.push(outcome(RESOURCETYPE, () => checkResourcetype(names)));
  }
  for (const p of req.props.filter((p) => p.name === COMPONENT_SET))
    own.push(outcome(COMPONENT_SET, () => void (components = componentSet(p))));
  // The component set is no stored property (protected once the calendar exists): it is not planned as one.
  const patch = planPatch(draft, req.props.filter((p) => p.name !== COMPONENT_SET).map((prop) => ({ op: "set" as const, prop })));
  const outcomes = [...own, ...patch.outcomes];
  const ok = outcomes.every((o) => o.status === 200);
  if (!ok) for (const o of outcomes) if (o.status === 200) o.status = 424;
  return { ok, components, props: ok ? applyChanges({}, patch.changes) : {}, outcomes };
}

/**
 * The home refused the new properties for its quota: each stored property
 * answers 507 with DAV:quota-not-exceeded (RFC 4331 §6), the rest 424.
 */
export function refuseForQuota(plan: CreationPlan): PatchOutcome[] {
  return plan.outcomes.map((o) =>
    Object.hasOwn(plan.props, o.name)
      ? { name: o.name, status: 507, error: el(C.quotaNotExceeded), description: "calendar home quota exceeded" }
      : { name: o.name, status: 424 },
  );
}
