// HTTP Basic authentication (RFC 7617) against the directory. The login is
// a principal name or one of its email addresses. Credential records are
// fetched on every request, so a removed user or changed password takes
// effect at once; only the slow PBKDF2 result is memoized per isolate,
// keyed by the stored hash, so a changed hash is never matched by a memo.
import { parseBasic } from "../core/auth/basic.js";
import { isCheapHash, verifyPassword } from "../core/auth/passwords.js";
import { DavError } from "../core/errors.js";
import type { Principal } from "../core/model.js";
import { directoryStub } from "../dav/context.js";

export const REALM = "CalDAV";

const MEMO_LIMIT = 1000;
const MEMO_TTL_MS = 10 * 60_000;
const memo = new Map<string, number>();

async function memoKey(password: string, hash: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${hash}\u0000${password}`));
  return btoa(String.fromCharCode(...new Uint8Array(d)));
}

async function verifyMemoized(password: string, hash: string): Promise<boolean> {
  if (isCheapHash(hash)) return verifyPassword(password, hash);
  const key = await memoKey(password, hash);
  const until = memo.get(key);
  if (until !== undefined && until > Date.now()) return true;
  const ok = await verifyPassword(password, hash);
  if (ok) {
    if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value!);
    memo.set(key, Date.now() + MEMO_TTL_MS);
  }
  return ok;
}

export const challenge = () =>
  new DavError(401, {
    description: "authentication required",
    headers: { "WWW-Authenticate": `Basic realm="${REALM}", charset="UTF-8"` },
  });

export async function authenticate(env: Env, req: Request): Promise<Principal> {
  const creds = parseBasic(req.headers.get("authorization"));
  if (!creds || creds.user === "" || creds.password === "") throw challenge();
  const record = await directoryStub(env).credentialsFor(creds.user);
  if (!record) throw challenge();
  // App passwords (cheap hashes) are listed first; try every credential so timing says little.
  let ok = false;
  for (const c of record.credentials) if (await verifyMemoized(creds.password, c.hash)) ok = true;
  if (!ok) throw challenge();
  return record.principal;
}
