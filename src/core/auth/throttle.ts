// Login throttling, the pure part: how failed logins are counted per
// account and per client address, when answers slow down, and when they
// turn into 429 Too Many Requests with Retry-After (RFC 6585 §4, RFC 9110
// §10.2.3). The Directory keeps one row per bucket and runs these steps
// inside its transactions; the Worker does the waiting. No I/O here.
//
// A bucket counts failures in a fixed window. Past `freeFailures` every
// attempt waits before its password is checked (the wait doubles per
// failure, up to a cap); at `lockAfter` failures the bucket locks for a
// while, growing with each lock, and while locked no password is checked at
// all, not even the right one. A success clears the account's count (not
// its lock history), so the owner is never locked out for long.

export interface BucketPolicy {
  /** Failures in a window that cost nothing. */
  freeFailures: number;
  /** Failures in a window after which the bucket locks. */
  lockAfter: number;
  windowMs: number;
}

/** The numbers, in one table (README "Logins"). */
export const POLICY = {
  /** One account (a principal, or a login name no principal has). */
  account: { freeFailures: 5, lockAfter: 10, windowMs: 15 * 60_000 },
  /** One client address (CF-Connecting-IP): room for a shared NAT, still a wall for a sprayer. */
  address: { freeFailures: 20, lockAfter: 50, windowMs: 15 * 60_000 },
} as const satisfies Record<string, BucketPolicy>;

/** What a bucket counts: an account or a client address. */
export type BucketKind = keyof typeof POLICY;

/** Lock durations by how many locks the bucket already had: 1, 2, 4, 8, then 15 minutes. */
export const LOCK_MS = [60_000, 120_000, 240_000, 480_000, 900_000] as const;

/** A bucket is forgotten (lock history too) this long after its window and lock have both ended. */
export const MEMORY_MS = 60 * 60_000;

/** The wait before checking a password, for the first failure past the free ones; it doubles per failure. */
export const DEFAULT_DELAY_MS = 500;
/** The longest wait, as a multiple of the first one (500 ms → 4 s). */
export const DELAY_CAP_FACTOR = 8;

export interface BucketState {
  failures: number;
  windowStart: number;
  lockedUntil: number;
  /** Locks so far: the next one lasts LOCK_MS[strikes]. */
  strikes: number;
}

export const FRESH: BucketState = { failures: 0, windowStart: 0, lockedUntil: 0, strikes: 0 };

export type Admission =
  | { locked: true; retryAfterMs: number; state: BucketState }
  /** `excess`: failures past the free ones (0: no wait); `reserved`: this attempt is already counted as a failure. */
  | { locked: false; excess: number; reserved: boolean; state: BucketState };

const lockMs = (strikes: number) => LOCK_MS[Math.min(strikes, LOCK_MS.length - 1)]!;

/** The state with an ended window forgotten (the lock history stays). */
function current(s: BucketState, now: number, p: BucketPolicy): BucketState {
  if (s.lockedUntil <= now && now >= s.windowStart + p.windowMs) return { ...s, failures: 0, windowStart: now };
  return s;
}

/**
 * An attempt arrives. A locked bucket refuses it; a bucket at its limit
 * locks now. A bucket that already has failures counts this attempt as one
 * before the password is checked, so parallel guesses cannot all slip in
 * under the limit; the Worker gives it back on success (`succeed`, `release`).
 */
export function admit(s: BucketState, now: number, p: BucketPolicy): Admission {
  let state = current(s, now, p);
  if (state.lockedUntil > now) return { locked: true, retryAfterMs: state.lockedUntil - now, state };
  if (state.failures >= p.lockAfter) {
    const until = now + lockMs(state.strikes);
    // After the lock, attempts still wait: the count restarts at the free allowance, not at zero.
    state = { failures: p.freeFailures, windowStart: now, lockedUntil: until, strikes: state.strikes + 1 };
    return { locked: true, retryAfterMs: until - now, state };
  }
  const excess = Math.max(0, state.failures - p.freeFailures + 1);
  if (state.failures === 0) return { locked: false, excess, reserved: false, state };
  return { locked: false, excess, reserved: true, state: { ...state, failures: state.failures + 1 } };
}

/** A failed attempt that `admit` did not already count. */
export function fail(s: BucketState, now: number, p: BucketPolicy): BucketState {
  const state = current(s, now, p);
  return { ...state, failures: state.failures + 1, windowStart: state.failures === 0 ? now : state.windowStart };
}

/** The account's owner got in: its count is cleared (a lock in force and the lock history stay). */
export const succeed = (s: BucketState): BucketState => ({ ...s, failures: 0 });

/** A reserved attempt from an address succeeded: only that attempt is given back, so logging in elsewhere clears nothing. */
export const release = (s: BucketState): BucketState => ({ ...s, failures: Math.max(0, s.failures - 1) });

/** When a bucket's row may be deleted. */
export const expiresAt = (s: BucketState, p: BucketPolicy): number => Math.max(s.windowStart + p.windowMs, s.lockedUntil) + MEMORY_MS;

/** The wait before checking the password, for the larger excess of the buckets. */
export function delayMs(excess: number, firstDelayMs: number = DEFAULT_DELAY_MS): number {
  if (excess <= 0) return 0;
  return Math.min(firstDelayMs * 2 ** (excess - 1), firstDelayMs * DELAY_CAP_FACTOR);
}

/** Retry-After in whole seconds, never 0. */
export const retryAfterSeconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

/** The account bucket of a login nobody holds: normalized so case and padding do not make new buckets. */
export const unknownLoginKey = (login: string): string => login.trim().toLowerCase().slice(0, 320);
