// Login throttling (issue 7, item 4): failed HTTP Basic logins (RFC 7617)
// are counted per account and per client address (CF-Connecting-IP); after
// ten in a row the account answers 429 Too Many Requests with Retry-After
// (RFC 6585 §4, RFC 9110 §10.2.3), even to the right password, until the
// lock ends; a success clears the count; an unknown name is throttled like
// a known one and costs the same PBKDF2 work. Lock ends are reached by
// ageing the Directory's rows, never by waiting.
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { delayMs, LOCK_MS, POLICY } from "../../../src/core/auth/throttle.js";
import { isCheapHash } from "../../../src/core/auth/passwords.js";
import type { Directory } from "../../../src/directory/directory.js";
import { pruneBuckets } from "../../../src/directory/throttle.js";
import { Sql } from "../../../src/sql.js";
import { checkLogin, DUMMY_HASH, loginCache, verifyMemoized, type Verifier } from "../../../src/http/login.js";
import { createUser, dav, propfindBody, type Creds } from "../../helpers/dav-client.js";
import { adminFetch, newUser, rnd } from "../../helpers/caldav.js";

const ACCOUNT = POLICY.account;
const ADDRESS = POLICY.address;

/** A documentation address (RFC 3849) of its own for each test, so tests do not share an address bucket. */
const freshAddress = () => {
  const r = rnd();
  return `2001:db8:${r.slice(0, 4)}:${r.slice(4, 8)}::1`;
};

interface Answer {
  status: number;
  retryAfter: string | null;
}

async function login(c: Creds, address?: string): Promise<Answer> {
  const headers: Record<string, string> = { Depth: "0" };
  if (address) headers["CF-Connecting-IP"] = address;
  const res = await dav("PROPFIND", "/", { as: c, headers, body: propfindBody(["D:current-user-principal"]) });
  await res.arrayBuffer();
  return { status: res.status, retryAfter: res.headers.get("retry-after") };
}

const directory = () => env.DIRECTORY.getByName("main") as DurableObjectStub<Directory>;

/** Runs SQL in the Directory (white box). */
async function directorySql<T>(query: string, ...params: unknown[]): Promise<T[]> {
  return runInDurableObject(directory(), (_i: Directory, state: DurableObjectState) => state.storage.sql.exec(query, ...params).toArray() as T[]);
}

/**
 * Ends the locks of the given buckets (and, unless `lockOnly`, their counting windows), as if the time had passed:
 * in the Directory, and in this isolate's login cache, whose notes of those locks (and entries) would have expired too.
 */
async function ageBuckets(keys: string[], lockOnly = false): Promise<void> {
  loginCache.clear();
  const past = Date.now() - 1;
  for (const key of keys) {
    await directorySql("UPDATE login_throttle SET locked_until = MIN(locked_until, ?) WHERE key = ?", past, key);
    if (!lockOnly) await directorySql("UPDATE login_throttle SET window_start = ? WHERE key = ?", past - 24 * 3_600_000, key);
  }
}

const accountKey = (c: Creds) => `account:principal:${c.user}`;

describe("throttling failed logins per account (RFC 6585 §4)", () => {
  it("answers ten wrong passwords with 401, then 429 with Retry-After, also to the right password, until the lock ends", async () => {
    const u = await newUser("lock");
    const wrong = { user: u.user, password: "guess" };
    const statuses: number[] = [];
    for (let i = 0; i < ACCOUNT.lockAfter; i++) statuses.push((await login(wrong)).status);
    expect(statuses).toEqual(Array(ACCOUNT.lockAfter).fill(401));

    const locked = await login(wrong);
    expect(locked.status).toBe(429);
    const retry = Number(locked.retryAfter);
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(LOCK_MS[0] / 1000);
    // The right password is refused too while the lock holds: a guess must not be able to tell.
    const right = await login(u);
    expect(right.status).toBe(429);
    expect(Number(right.retryAfter)).toBeGreaterThan(0);
    // By email address it is the same account.
    expect((await login({ user: `${u.user}@example.com`, password: u.password })).status).toBe(429);

    await ageBuckets([accountKey(u)]);
    expect((await login(u)).status).toBe(207);
  });

  it("locks longer each time: the second lock is twice the first", async () => {
    const u = await newUser("lock2");
    const wrong = { user: u.user, password: "guess" };
    for (let i = 0; i < ACCOUNT.lockAfter; i++) await login(wrong);
    expect(Number((await login(wrong)).retryAfter)).toBe(LOCK_MS[0] / 1000);
    await ageBuckets([accountKey(u)], true); // a minute later: the lock is over, the window is not
    // After a lock the count restarts at the free allowance: five more failures lock again, for longer.
    for (let i = 0; i < ACCOUNT.lockAfter - ACCOUNT.freeFailures; i++) expect((await login(wrong)).status).toBe(401);
    const again = await login(wrong);
    expect(again.status).toBe(429);
    expect(Number(again.retryAfter)).toBe(LOCK_MS[1] / 1000);
  });

  it("clears the account's count when the owner logs in, so the owner is never locked out by old typos", async () => {
    const u = await newUser("typo");
    const wrong = { user: u.user, password: "typo" };
    for (let i = 0; i < ACCOUNT.lockAfter - 1; i++) expect((await login(wrong)).status).toBe(401);
    expect((await login(u)).status).toBe(207);
    for (let i = 0; i < ACCOUNT.lockAfter - 1; i++) expect((await login(wrong)).status).toBe(401);
    expect((await login(u)).status).toBe(207);
    const [row] = await directorySql<{ failures: number; locked_until: number }>("SELECT failures, locked_until FROM login_throttle WHERE key = ?", accountKey(u));
    expect(row).toEqual({ failures: 0, locked_until: 0 });
  });

  it("lets exactly ten guesses through when thirty arrive at once on an account that has started failing", async () => {
    const u = await newUser("burst");
    const wrong = { user: u.user, password: "guess" };
    expect((await login(wrong)).status).toBe(401);
    const answers = await Promise.all(Array.from({ length: 30 }, () => login(wrong)));
    const checked = answers.filter((a) => a.status === 401).length;
    // The first failure was counted after the fact; from then on each attempt is counted before its check.
    expect(1 + checked).toBe(ACCOUNT.lockAfter);
    expect(answers.filter((a) => a.status === 429).length).toBe(30 - checked);
  });

  it("throttles a name nobody has exactly like a real account, case and padding folded", async () => {
    const real = await newUser("real");
    const ghost = `ghost-${rnd()}`;
    const seq = async (c: Creds) => {
      const out: number[] = [];
      for (let i = 0; i <= ACCOUNT.lockAfter; i++) out.push((await login(c)).status);
      return out;
    };
    const realSeq = await seq({ user: real.user, password: "nope" });
    const ghostSeq = await seq({ user: ghost, password: "nope" });
    expect(ghostSeq).toEqual(realSeq);
    expect(ghostSeq.at(-1)).toBe(429);
    expect((await login({ user: ` ${ghost.toUpperCase()} `, password: "other" })).status).toBe(429);
  });
});

describe("throttling failed logins per client address (CF-Connecting-IP)", () => {
  it("locks an address that sprays wrong passwords over many accounts, for every account, while other addresses still log in", async () => {
    const address = freshAddress();
    const victim = await newUser("spray");
    // Four guesses per name stay under every account's limit; the address collects them all.
    let n = 0;
    while (n < ADDRESS.lockAfter) {
      const name = `sprayed-${rnd()}`;
      for (let i = 0; i < 4 && n < ADDRESS.lockAfter; i++, n++) expect((await login({ user: name, password: "x" }, address)).status).toBe(401);
    }
    const blocked = await login(victim, address);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.retryAfter)).toBeGreaterThan(0);
    expect((await login(victim, freshAddress())).status).toBe(207);
    expect((await login(victim)).status).toBe(207);
    await ageBuckets([`address:${address}`]);
    expect((await login(victim, address)).status).toBe(207);
  });

  it("does not let an attacker clear an address's count by logging into an account of their own", async () => {
    const address = freshAddress();
    const own = await newUser("own");
    for (let i = 0; i < ADDRESS.freeFailures; i++) await login({ user: `target-${rnd()}`, password: "x" }, address);
    expect((await login(own, address)).status).toBe(207);
    const [row] = await directorySql<{ failures: number }>("SELECT failures FROM login_throttle WHERE key = ?", `address:${address}`);
    expect(row?.failures).toBe(ADDRESS.freeFailures);
  });
});

describe("the same work for unknown and known names", () => {
  /** A verifier that records which hashes it ran, on top of the real one. */
  function counting(): { verify: Verifier; pbkdf2: () => string[]; cheap: () => number } {
    const slow: string[] = [];
    let cheap = 0;
    return {
      verify: async (password, hash) => {
        if (isCheapHash(hash)) cheap++;
        else slow.push(hash);
        return verifyMemoized(password, hash);
      },
      pbkdf2: () => slow,
      cheap: () => cheap,
    };
  }

  async function attempt(login: string, password: string, v: Verifier): Promise<number> {
    try {
      await checkLogin(env, login, password, null, v);
      return 200;
    } catch (e) {
      return (e as { status: number }).status;
    }
  }

  it("runs exactly one PBKDF2 check for an unknown name (against the dummy hash), as for a known one", async () => {
    const known = await newUser("work");
    const unknown = counting();
    expect(await attempt(`nobody-${rnd()}`, "guess", unknown.verify)).toBe(401);
    expect(unknown.pbkdf2()).toEqual([DUMMY_HASH]);

    const wrong = counting();
    expect(await attempt(known.user, "guess", wrong.verify)).toBe(401);
    expect(wrong.pbkdf2()).toHaveLength(1);
    expect(wrong.pbkdf2()[0]).not.toBe(DUMMY_HASH);
    expect(wrong.pbkdf2()[0]!.startsWith("$pbkdf2-sha256$i=100000$")).toBe(true);
    expect(DUMMY_HASH.startsWith("$pbkdf2-sha256$i=100000$")).toBe(true);
  });

  it("runs the dummy PBKDF2 check for an account that has only app passwords", async () => {
    const name = `apponly-${rnd()}`;
    const res = await adminFetch("PUT", `/users/${name}`, { emails: [`${name}@example.com`] });
    expect(res.status).toBe(201);
    const { password } = (await (await adminFetch("POST", `/users/${name}/app-passwords`, { label: "phone" })).json()) as { password: string };
    const v = counting();
    expect(await attempt(name, "guess", v.verify)).toBe(401);
    expect(v.pbkdf2()).toEqual([DUMMY_HASH]);
    expect(v.cheap()).toBe(1);
    const ok = counting();
    expect(await attempt(name, password, ok.verify)).toBe(200);
    expect(ok.pbkdf2()).toEqual([DUMMY_HASH]);
  });

  it("never checks a password while locked", async () => {
    const u = await createUser(`locked-${rnd()}`);
    for (let i = 0; i < ACCOUNT.lockAfter; i++) await login({ user: u.user, password: "guess" });
    const v = counting();
    expect(await attempt(u.user, u.password, v.verify)).toBe(429);
    expect(v.pbkdf2()).toEqual([]);
    expect(v.cheap()).toBe(0);
  });
});

describe("the throttle's table and numbers", () => {
  it("waits longer per failure past the free ones, doubling up to a cap", () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((e) => delayMs(e, 500))).toEqual([0, 500, 1000, 2000, 4000, 4000, 4000]);
  });

  it("drops expired rows, and the stalest rows beyond the cap (a lock in force last)", async () => {
    const now = Date.now();
    // A Directory instance of its own, so the shared one's rows are left alone.
    await runInDurableObject(env.DIRECTORY.getByName(`prune-${rnd()}`), (_i: Directory, state: DurableObjectState) => {
      const sql = new Sql(state.storage.sql);
      const insert = (key: string, lockedUntil: number, expires: number) =>
        sql.run("INSERT INTO login_throttle (key, failures, window_start, locked_until, strikes, expires) VALUES (?, 1, 0, ?, 0, ?)", key, lockedUntil, expires);
      insert("account:login:expired", 0, now - 1);
      insert("account:login:old", 0, now + 1_000);
      insert("account:login:locked", now + 60_000, now + 2_000);
      insert("account:login:new", 0, now + 3_000);
      pruneBuckets(sql, now, 2);
      const keys = sql.all<{ key: string }>("SELECT key FROM login_throttle ORDER BY key").map((r) => r.key);
      expect(keys).toEqual(["account:login:locked", "account:login:new"]);
    });
  });

  it("writes nothing for a login with no failures against it", async () => {
    const u = await newUser("quiet");
    expect((await login(u, freshAddress())).status).toBe(207);
    const rows = await directorySql("SELECT key FROM login_throttle WHERE key = ?", accountKey(u));
    expect(rows).toEqual([]);
  });
});
