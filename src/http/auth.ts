// HTTP Basic authentication (RFC 7617) against the directory. The login is
// a principal name or one of its email addresses. The throttle, the
// password check and the per-isolate cache of verified logins are
// checkLogin's (src/http/login.ts), shared with any other way of logging in:
// a removed user, a changed password or a revoked app password stops working
// at once in the isolate that made the change and within the cache's
// lifetime (at most 60 s) everywhere else.
import { parseBasic } from "../core/auth/basic.js";
import type { Principal } from "../core/model.js";
import { challenge, checkLogin } from "./login.js";

export { challenge, REALM } from "./login.js";

/**
 * The client address the throttle counts: CF-Connecting-IP, which Cloudflare's
 * edge (and `wrangler dev`) sets on every request and a client cannot forge
 * there. A request without it did not come through the edge (a test, a
 * binding): it is throttled per account only.
 */
export const clientAddress = (req: Request): string | null => req.headers.get("cf-connecting-ip")?.trim() || null;

export async function authenticate(env: Env, req: Request): Promise<Principal> {
  const creds = parseBasic(req.headers.get("authorization"));
  // No credentials (or none worth checking) is a challenge, not a failed attempt.
  if (!creds || creds.user === "" || creds.password === "") throw challenge();
  return checkLogin(env, creds.user, creds.password, clientAddress(req));
}
