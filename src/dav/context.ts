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

export const bodyText = (req: DavRequest) => decodeUtf8(req.body, "the request body");

/** The limits of objects and the quota (core/resource-limits.ts). */
export const limitsFrom = (env: Env): Limits => limitsOf(env);

export class DavContext {
  readonly limits: Limits;
  private readonly principals = new Map<string, Promise<Principal | null>>();
  /** The home and its stamp of the view this request was answered from (resolve.ts), when it came from the user's own home. */
  view: { home: string; stamp: string } | undefined;
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

  /** The view's home and stamp if the answer was made from that one call to the home and nothing else; else null. */
  soleView(): { home: string; stamp: string } | null {
    return this.view !== undefined && this.calls === 1 ? this.view : null;
  }

  /**
   * Whether home `id` is still as it was at `stamp` (answer-cache.ts, before a kept answer is sent). Not one of the
   * calls an answer is made from: nothing of the answer comes from it.
   */
  unchanged(id: string, stamp: string): Promise<boolean> {
    return homeStub(this.env, id).unchanged(stamp);
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
