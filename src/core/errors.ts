// One error type for every protocol failure. It carries the HTTP status and,
// where an RFC names one, the precondition or postcondition element that goes
// into the DAV:error body (RFC 4918 section 16). Rendered in one place only.
import { caldav, dav, type Clark } from "./xml/names.js";
import { el, type XmlElement } from "./xml/tree.js";

export interface DavErrorInit {
  /** The precondition element, e.g. {urn:ietf:params:xml:ns:caldav}no-uid-conflict. */
  condition?: XmlElement;
  /** Human-readable detail, rendered as a comment-like description. */
  description?: string;
  headers?: Record<string, string>;
}

export class DavError extends Error {
  readonly status: number;
  readonly condition: XmlElement | undefined;
  readonly headers: Record<string, string>;

  constructor(status: number, init: DavErrorInit = {}) {
    super(init.description ?? (init.condition ? init.condition.name : `HTTP ${status}`));
    this.status = status;
    this.condition = init.condition;
    this.headers = init.headers ?? {};
  }
}

/** A failed precondition with its RFC element; the status comes with it. */
export const precondition = (status: number, name: Clark, description?: string, children: XmlElement[] = []) =>
  new DavError(status, { condition: el(name, children), ...(description ? { description } : {}) });

export const badRequest = (description: string) => new DavError(400, { description });
export const forbidden = (description: string) => new DavError(403, { description });
export const notFound = (description = "not found") => new DavError(404, { description });
export const conflict = (description: string) => new DavError(409, { description });
export const preconditionFailed = (description = "precondition failed") => new DavError(412, { description });
export const methodNotAllowed = (allow: string[]) =>
  new DavError(405, { description: "method not allowed here", headers: { Allow: allow.join(", ") } });

/** The preconditions this server uses, by RFC. */
export const C = {
  // RFC 4918
  propfindFiniteDepth: dav("propfind-finite-depth"),
  cannotModifyProtected: dav("cannot-modify-protected-property"),
  // RFC 3744
  needPrivileges: dav("need-privileges"),
  // RFC 5689
  validResourcetype: dav("valid-resourcetype"),
  // RFC 4331
  quotaNotExceeded: dav("quota-not-exceeded"),
  // RFC 6578
  validSyncToken: dav("valid-sync-token"),
  // RFC 4791 §7.8, §7.10 (defined by RFC 3253 / RFC 5323): a REPORT beyond the server's limits
  numberOfMatchesWithinLimits: dav("number-of-matches-within-limits"),
  // RFC 4791
  supportedCalendarData: caldav("supported-calendar-data"),
  validCalendarData: caldav("valid-calendar-data"),
  validCalendarObjectResource: caldav("valid-calendar-object-resource"),
  supportedCalendarComponent: caldav("supported-calendar-component"),
  noUidConflict: caldav("no-uid-conflict"),
  calendarCollectionLocationOk: caldav("calendar-collection-location-ok"),
  maxResourceSize: caldav("max-resource-size"),
  minDateTime: caldav("min-date-time"),
  maxDateTime: caldav("max-date-time"),
  maxInstances: caldav("max-instances"),
  maxAttendeesPerInstance: caldav("max-attendees-per-instance"),
  validCalendarTimezone: caldav("valid-calendar-timezone"),
  resourceMustBeNull: dav("resource-must-be-null"),
  initializeCalendarCollection: caldav("initialize-calendar-collection"),
} as const;

/** The structured-cloneable form of a DavError, for crossing RPC boundaries. */
export interface DavErrorShape {
  status: number;
  condition?: XmlElement | undefined;
  description: string;
  headers: Record<string, string>;
}

export const toShape = (e: DavError): DavErrorShape => ({
  status: e.status,
  condition: e.condition,
  description: e.message,
  headers: e.headers,
});

export const fromShape = (s: DavErrorShape): DavError =>
  new DavError(s.status, { ...(s.condition ? { condition: s.condition } : {}), description: s.description, headers: s.headers });

/** A result that carries a DavError across RPC instead of throwing it (class identity is lost over RPC). */
export type Result<T> = { ok: true; value: T } | { ok: false; error: DavErrorShape };

export function capture<T>(fn: () => T): Result<T> {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    if (e instanceof DavError) return { ok: false, error: toShape(e) };
    throw e;
  }
}

export function unwrap<T>(r: Result<T>): T {
  if (r.ok) return r.value;
  throw fromShape(r.error);
}
