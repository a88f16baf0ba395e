// What a DAV handler works with: the parsed request, the authenticated
// principal, limits, and typed access to the stores (homes, directory,
// bodies; the stubs come from src/bindings.ts). Handlers never see Hono's
// Context.
import { directoryStub, homeStub } from "../bindings.js";
import { DavError } from "../core/errors.js";
import type { Principal } from "../core/model.js";
import type { Limits, PropContext } from "../core/props/types.js";
import type { CalendarHome } from "../home/calendar-home.js";
import type { Directory } from "../directory/directory.js";
import type { View, ViewOp } from "../home/view.js";
import { decodeUtf8 } from "../http/body.js";
import { reportsFor } from "./reports/table.js";
import { limitsOf } from "../core/resource-limits.js";

export interface DavRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: Uint8Array;
  /**
   * The client's own Accept-Encoding: the platform shows the Worker "br, gzip" whatever the client sent, and keeps
   * the client's in request.cf.clientAcceptEncoding (src/app.ts). Undefined: the Accept-Encoding header is the client's.
   */
  acceptEncoding?: string | undefined;
}

/** The read of a collection an answer was made from (resolve.ts): its home, the read, the home's stamp then. */
export interface ViewMade {
  home: string;
  collection: string;
  op: ViewOp;
  stamp: string;
}

export const bodyText = (req: DavRequest) => decodeUtf8(req.body, "the request body");

/** The limits of objects and the quota (core/resource-limits.ts). */
export const limitsFrom = (env: Env): Limits => limitsOf(env);

export class DavContext {
  readonly limits: Limits;
  private readonly principals = new Map<string, Promise<Principal | null>>();
  /** The view this request was answered from (resolve.ts), when it came from the user's own home. */
  view: ViewMade | undefined;
  /** A view read for this request before its handler ran (answer-cache.ts), for resolve.ts to use instead of a call. */
  private prefetched: { home: string; collection: string; op: ViewOp; value: View & { stamp: string } } | undefined;
  /** Calls to homes and the Directory this request made (or is about to): an answer from more than one call is not kept. */
  private calls = 0;

  constructor(
    readonly env: Env,
    readonly user: Principal,
    readonly waitUntil: (p: Promise<unknown>) => void = () => {},
  ) {
    this.limits = limitsFrom(env);
    this.principals.set(user.id, Promise.resolve(user));
  }

  home(id: string): DurableObjectStub<CalendarHome> {
    this.calls++;
    return homeStub(this.env, id);
  }

  get directory(): DurableObjectStub<Directory> {
    this.calls++;
    return directoryStub(this.env);
  }

  /** The view if the answer was made from that one call to the home and nothing else; else null. */
  soleView(): ViewMade | null {
    return this.view !== undefined && this.calls === 1 ? this.view : null;
  }

  /**
   * Asks the home a kept answer was made from whether it still holds, with the read that answer was made from
   * (answer-cache.ts, before the request is parsed): true if it does; else the home has read the view afresh, and
   * the handler gets it from takeView instead of asking again, so the request is still one round trip.
   */
  async stillHolds(made: ViewMade): Promise<boolean> {
    const r = await homeStub(this.env, made.home).view(made.collection, made.op, made.stamp);
    if (!r.ok) return false; // the handler asks again and answers with the error
    if ("stillValid" in r.value) return true;
    this.prefetched = { home: made.home, collection: made.collection, op: made.op, value: r.value };
    return false;
  }

  /**
   * The view read by stillHolds, if it is the read `op` of `collection` in home `home` (resolve.ts); it counts as this
   * request's call. The reads are compared as text, and only when there is one: a request with no kept answer pays nothing.
   */
  takeView(home: string, collection: string, op: ViewOp): (View & { stamp: string }) | undefined {
    const p = this.prefetched;
    if (!p || p.home !== home || p.collection !== collection || JSON.stringify(p.op) !== JSON.stringify(op)) return undefined;
    this.prefetched = undefined;
    this.calls++;
    return p.value;
  }

  /** A principal by id, looked up at most once per request. */
  principal(id: string): Promise<Principal | null> {
    let p = this.principals.get(id);
    if (!p) {
      p = this.directory.getPrincipal(id);
      this.principals.set(id, p);
    }
    return p;
  }

  async principalOrThrow(id: string): Promise<Principal> {
    const p = await this.principal(id);
    if (!p) throw new DavError(404, { description: `no principal ${id}` });
    return p;
  }

  get props(): PropContext {
    return { user: this.user, limits: this.limits, reports: reportsFor };
  }
}
