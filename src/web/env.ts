// The types every part of the web page shares: what Hono's context carries
// once a request has passed the session check (src/web/session.ts) and, for
// a state-changing request, the CSRF check (src/web/csrf.ts).
import type { Principal } from "../core/model.js";

export interface WebVariables {
  /** The signed-in principal. */
  user: Principal;
  /** Whether the signed-in principal administers the instance. */
  admin: boolean;
  /** The session's CSRF token: put it in every form with csrfField(). */
  csrf: string;
  /** The SHA-256 of the session cookie's secret (the Directory's key for the session). */
  sessionKey: string;
  /** The submitted form of a POST, read once by checkCsrf within its size cap. */
  form: FormData;
}

export type WebEnv = { Bindings: Env; Variables: WebVariables };
