// One login check for every way in: HTTP Basic for DAV, and the web page's
// sign-in, which accepts only the account password (`passwordOnly`: app
// passwords are for DAV clients) and shares the throttle.
// A login and password that verified in this isolate within the cache's
// lifetime are accepted from the login cache, with no call to the Directory
// (src/core/auth/login-cache.ts says what it keeps and why that is safe;
// README "Logins" states the bounds). Anything else asks the Directory once
// for the throttle's verdict and the credentials, waits if the account or
// address has been failing, checks the password, and reports the outcome
// back only when there is one to count. Unknown logins cost the same PBKDF2
// work as known ones (a dummy hash), so timing does not tell which names
// exist. Nothing here logs a credential.
import { directoryStub } from "../bindings.js";
import { DEFAULT_TTL_MS, LoginCache, MAX_TTL_MS } from "../core/auth/login-cache.js";
import { delayMs, DEFAULT_DELAY_MS, retryAfterSeconds } from "../core/auth/throttle.js";
import { isCheapHash, verifyPassword } from "../core/auth/passwords.js";
import { DavError } from "../core/errors.js";
import type { Principal } from "../core/model.js";
import type { CredentialRecord } from "../directory/directory.js";
import { base64, sha256 } from "../core/octets.js";

/** This isolate's logins that verified; the admin API drops a principal's entries when it changes them. */
export const loginCache = new LoginCache();

/** Verifies a password against one stored hash; injectable so tests can count the work done. */
export type Verifier = (password: string, hash: string) => Promise<boolean>;

/**
 * A PBKDF2 hash (100,000 iterations, like every stored password) of a random
 * secret nobody kept: checked when the login has no password hash, so an
 * unknown name or an app-password-only account costs one PBKDF2 like the rest.
 */
export const DUMMY_HASH = "$pbkdf2-sha256$i=100000$uDdgCsvdYd+8tBLZUaLVVw$8PTVp8lvu8vstbUdao3UAPLWIyFmcW3ilyLVxP7pHBk";

const MEMO_LIMIT = 1000;
const MEMO_TTL_MS = 10 * 60_000;
const memo = new Map<string, number>();

async function memoKey(password: string, hash: string): Promise<string> {
  return base64(await sha256(`${hash}\u0000${password}`));
}

/** The slow PBKDF2 result of a success is memoized per isolate, keyed by the stored hash, so a changed hash never matches. */
export async function verifyMemoized(password: string, hash: string): Promise<boolean> {
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

/**
 * Tries every credential (so timing says little about which matched), and the dummy when none is a PBKDF2 hash;
 * the first that matched, or null.
 */
export async function verifyAny(password: string, credentials: readonly CredentialRecord[], verify: Verifier): Promise<CredentialRecord | null> {
  let matched: CredentialRecord | null = null;
  for (const c of credentials) if ((await verify(password, c.hash)) && !matched) matched = c;
  if (!credentials.some((c) => !isCheapHash(c.hash))) await verify(password, DUMMY_HASH);
  return matched;
}

/**
 * A credential's last use is written when a login that reaches the Directory finds the recorded one (or, never
 * used, its creation) older than this, so noting use costs no extra call for most logins: last use is approximate
 * by this plus the login cache's lifetime, and a use within this long of its creation is not recorded.
 */
export const LAST_USE_EVERY_MS = 10 * 60_000;

const staleUse = (c: CredentialRecord, now: number) => now - (c.lastUsed ?? c.created) > LAST_USE_EVERY_MS;

export interface LoginOptions {
  /** Only the account password counts (the web sign-in); the login cache is neither read nor filled. */
  passwordOnly?: boolean;
}

/** The wait before the first throttled check, from LOGIN_DELAY_MS (read here only; tests make it short). */
export function firstDelayMs(env: Env): number {
  const v = Number(env.LOGIN_DELAY_MS ?? Number.NaN);
  return Number.isFinite(v) && v >= 0 ? v : DEFAULT_DELAY_MS;
}

/**
 * How long a verified login is accepted from the cache, from LOGIN_CACHE_TTL_MS
 * (read here only; default 30 s, 0 turns the cache off, never more than 60 s):
 * the bound within which a change made in another isolate takes effect.
 */
export function loginCacheTtlMs(env: Env): number {
  const v = Number(env.LOGIN_CACHE_TTL_MS ?? Number.NaN);
  return Number.isFinite(v) && v >= 0 ? Math.min(v, MAX_TTL_MS) : DEFAULT_TTL_MS;
}

export const REALM = "CalDAV";

export const challenge = () =>
  new DavError(401, {
    description: "authentication required",
    headers: { "WWW-Authenticate": `Basic realm="${REALM}", charset="UTF-8"` },
  });

/** 429 (RFC 6585 §4) with Retry-After (RFC 9110 §10.2.3) while the account or address is locked. */
export const tooManyAttempts = (retryAfterMs: number) => {
  const seconds = retryAfterSeconds(retryAfterMs);
  return new DavError(429, {
    description: `too many failed logins; try again in ${seconds} s`,
    headers: { "Retry-After": String(seconds) },
  });
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The principal a login and password name, or a thrown 401 (wrong or unknown)
 * or 429 (locked). `clientAddress` is CF-Connecting-IP, or null when the
 * request did not come through Cloudflare's edge (then only the account counts).
 * `verify` and `cache` are the isolate's own unless a test brings its own.
 */
export async function checkLogin(
  env: Env,
  login: string,
  password: string,
  clientAddress: string | null,
  verify: Verifier = verifyMemoized,
  cache: LoginCache = loginCache,
  options: LoginOptions = {},
): Promise<Principal> {
  // The cache does not say which credential verified, so a password-only check never answers from it.
  const key = await cache.keyOf(login, password);
  const known = cache.lookup(key, clientAddress);
  if (known.kind === "hit" && !options.passwordOnly) return known.principal;
  if (known.kind === "locked") throw tooManyAttempts(known.retryAfterMs);

  const ticket = cache.begin();
  const directory = directoryStub(env);
  const start = await directory.beginLogin(login, clientAddress);
  if (start.locked) {
    cache.noteLocks(start.locks, start.principalId, clientAddress);
    throw tooManyAttempts(start.retryAfterMs);
  }
  const wait = delayMs(start.excess, firstDelayMs(env));
  if (wait > 0) await sleep(wait);
  const credentials = options.passwordOnly ? start.credentials.filter((c) => c.kind === "password") : start.credentials;
  const matched = await verifyAny(password, credentials, verify);
  if (!matched || start.principal === null) {
    // Someone is failing on this account: its next success goes to the Directory, which clears the count.
    if (start.principal) cache.forgetPrincipal(start.principal.id);
    await directory.loginFailed(start.ticket);
    throw challenge();
  }
  const stale = staleUse(matched, Date.now());
  if (start.ticket.buckets.some((b) => b.reserved) || stale) await directory.loginSucceeded(start.ticket, stale ? matched.id : undefined);
  if (!options.passwordOnly) cache.remember(key, start.principal, ticket, loginCacheTtlMs(env));
  return start.principal;
}
