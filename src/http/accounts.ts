// Changes to accounts shared by the admin API (src/http/admin.ts) and the web
// page (src/web): every change to a principal drops its cached logins in this
// isolate once the Directory has committed it (and every address holder it
// knew, directory/holders.ts) (README "Logins": other
// isolates see it within the login cache's lifetime), so a revoked app
// password, a new password or a removed user stops working here at once.
import { directoryStub, homeStub } from "../bindings.js";
import { generateAppPassword, hashAppPassword, hashPassword } from "../core/auth/passwords.js";
import { badRequest, unwrap } from "../core/errors.js";
import { mapLimit } from "../core/async.js";
import type { Principal } from "../core/model.js";
import type { PrincipalUpdate } from "../directory/directory.js";
import { loginCache } from "./login.js";
import { forgetHolders } from "../directory/holders.js";

/**
 * Runs a change to a principal, then drops its cached logins (also when the
 * change failed half-way): after the Directory committed, so a login in
 * flight cannot cache what was true before (login-cache.ts, generations).
 */
export async function changing<T>(id: string, change: () => Promise<T>): Promise<T> {
  try {
    return await change();
  } finally {
    loginCache.forgetPrincipal(id);
    // Its addresses may have changed hands: a meeting's next PUT asks the Directory again (directory/holders.ts).
    forgetHolders();
  }
}

/** The bounds of what an account takes, the same from the admin API and the web page (characters; addresses: how many). */
export const ACCOUNT_LIMITS = { password: 1024, displayName: 100, address: 254, addresses: 100, label: 100 } as const;

/** Creates or updates a principal, and sets its password when one is given (never empty). */
export async function saveAccount(env: Env, update: PrincipalUpdate, password?: string): Promise<Principal> {
  if (password === "") throw badRequest("the password is empty");
  if (password !== undefined && password.length > ACCOUNT_LIMITS.password) throw badRequest(`the password is longer than ${ACCOUNT_LIMITS.password} characters`);
  const dir = directoryStub(env);
  // Addresses, name or type change what a cached login hands to the request, so they drop it too.
  return changing(update.id, async () => {
    const p = unwrap(await dir.upsertPrincipal(update));
    if (password !== undefined) unwrap(await dir.setPassword(p.id, await hashPassword(password)));
    return p;
  });
}

/**
 * Removes a principal with its credentials and sessions, then all its data; false if there was none. The homes that
 * name it (sharing, delegation) forget it first, so no invitation or proxy group names it afterwards and a principal
 * made again under that name inherits nothing.
 */
export async function removeAccount(env: Env, id: string): Promise<boolean> {
  const removed = await changing(id, () => directoryStub(env).removePrincipal(id));
  if (!removed) return removed;
  const home = homeStub(env, id);
  const ties = await home.ties();
  await mapLimit(ties, 6, async (other) => {
    try {
      // A home is never made for a principal that is gone.
      if (await directoryStub(env).getPrincipal(other)) await homeStub(env, other).forgetPrincipal(id);
    } catch (e) {
      console.error(`removing ${id}: ${other}'s home could not forget it: ${(e as Error).message}`);
    }
  });
  await home.destroy();
  return removed;
}

/** Issues an app password: the secret is returned here once and stored only as a hash. */
export async function issueAppPassword(env: Env, id: string, label: string): Promise<{ id: string; label: string; password: string }> {
  const secret = generateAppPassword();
  const credentialId = unwrap(await directoryStub(env).addAppPassword(id, label, await hashAppPassword(secret)));
  return { id: credentialId, label, password: secret };
}

/** Revokes one app password; false if the principal has no such credential. */
export function revokeAppPassword(env: Env, id: string, credentialId: string): Promise<boolean> {
  return changing(id, () => directoryStub(env).removeAppPassword(id, credentialId));
}
