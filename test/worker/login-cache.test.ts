// The per-isolate login cache (issue 10, item 3; src/core/auth/login-cache.ts,
// README "Logins"): a request whose HTTP Basic login (RFC 7617) verified
// lately in this isolate makes no call to the global Directory object; a
// removed user, a changed password, a revoked app password or changed
// addresses take effect at once in the isolate that made the change (the
// admin API's) and within LOGIN_CACHE_TTL_MS (at most 60 s) in any other;
// failures still reach the throttle, and locks (RFC 6585 §4) still answer
// 429. Directory calls are counted by wrapping the Directory class's methods
// (the object itself runs unchanged); another isolate is a LoginCache of its
// own, on a clock the test moves.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LIMITS, LoginCache, MAX_TTL_MS } from "../../src/core/auth/login-cache.js";
import { POLICY } from "../../src/core/auth/throttle.js";
import type { Principal } from "../../src/core/model.js";
import { Directory } from "../../src/directory/directory.js";
import { hashPassword } from "../../src/core/auth/passwords.js";
import { checkLogin, loginCacheTtlMs, verifyMemoized } from "../../src/http/login.js";
import { dav, multistatus, propfindBody, hrefText, type Creds } from "../helpers/dav-client.js";
import { adminFetch, cal, CAL, ics, newUser, principal, rnd } from "../helpers/caldav.js";

// ---- counting calls into the Directory object ---------------------------------------------------

/** Names of the Directory's methods called from outside it (an RPC each), in order; calls it makes to itself are not counted. */
const calls: string[] = [];
const saved = new Map<string, unknown>();

beforeEach(() => {
  const proto = Directory.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  let depth = 0;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const original = proto[name];
    if (name === "constructor" || typeof original !== "function") continue;
    saved.set(name, original);
    proto[name] = function (this: unknown, ...args: unknown[]) {
      if (depth === 0) calls.push(name);
      depth++;
      try {
        return original.apply(this, args);
      } finally {
        depth--;
      }
    };
  }
});

afterEach(() => {
  const proto = Directory.prototype as unknown as Record<string, unknown>;
  for (const [name, original] of saved) proto[name] = original;
  saved.clear();
  calls.length = 0;
});

/** The Directory calls made while `step` ran. */
async function directoryCalls(step: () => Promise<unknown>): Promise<string[]> {
  calls.length = 0;
  await step();
  return [...calls];
}

// ---- requests ------------------------------------------------------------------------------------

async function status(res: Response): Promise<number> {
  await res.arrayBuffer();
  return res.status;
}

const propfind = (c: Creds, address?: string) =>
  dav("PROPFIND", "/", {
    as: c,
    headers: { Depth: "0", ...(address ? { "CF-Connecting-IP": address } : {}) },
    body: propfindBody(["D:current-user-principal"]),
  }).then(status);

/** A request's status and the Directory calls it made. */
async function measured(c: Creds, address?: string): Promise<{ status: number; calls: string[] }> {
  let s = 0;
  const made = await directoryCalls(async () => (s = await propfind(c, address)));
  return { status: s, calls: made };
}

const NS = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"';
const report = (c: Creds, body: string) => dav("REPORT", cal(c), { as: c, headers: { Depth: "1" }, body: `<?xml version="1.0"?>${body}` });

const freshAddress = () => {
  const r = rnd();
  return `2001:db8:${r.slice(0, 4)}:${r.slice(4, 8)}::2`;
};

async function appPassword(c: Creds): Promise<{ id: string; password: string }> {
  return (await (await adminFetch("POST", `/users/${c.user}/app-passwords`, { label: "phone" })).json()) as { id: string; password: string };
}

/** checkLogin through another isolate's cache: a principal id, or the status it was refused with. */
async function loginVia(cache: LoginCache, login: string, password: string, address: string | null = null, e: Env = env): Promise<string | number> {
  try {
    return (await checkLogin(e, login, password, address, verifyMemoized, cache)).id;
  } catch (err) {
    return (err as { status: number }).status;
  }
}

/** A LoginCache standing for another isolate, with a clock the test moves. */
function otherIsolate(): { cache: LoginCache; clock: { now: number } } {
  const clock = { now: 1_000_000 };
  return { cache: new LoginCache(() => clock.now), clock };
}

/** The three revocations of the admin API, each with a credential that must stop working and one that must keep working. */
const revocations: Array<{ name: string; setup: (u: Creds) => Promise<{ revoked: Creds; kept: Creds | null; revoke: () => Promise<number> }> }> = [
  {
    name: "removing the user",
    setup: async (u) => ({ revoked: u, kept: null, revoke: async () => (await adminFetch("DELETE", `/users/${u.user}`)).status }),
  },
  {
    name: "changing the password",
    setup: async (u) => ({
      revoked: u,
      kept: { user: u.user, password: `${u.password}-new` },
      revoke: async () => (await adminFetch("PUT", `/users/${u.user}`, { password: `${u.password}-new` })).status,
    }),
  },
  {
    name: "revoking an app password",
    setup: async (u) => {
      const app = await appPassword(u);
      return {
        revoked: { user: u.user, password: app.password },
        kept: u,
        revoke: async () => (await adminFetch("DELETE", `/users/${u.user}/app-passwords/${app.id}`)).status,
      };
    },
  },
];

// ---- tests ----------------------------------------------------------------------------------------

describe("one Durable Object on the hot path: no Directory call for a login this isolate verified (RFC 7617)", () => {
  it("asks the Directory for the first request only; the next requests of any method make no Directory call", async () => {
    const u = await newUser("warm");
    const first = await measured(u);
    expect(first.status).toBe(207);
    expect(first.calls).toEqual(["beginLogin"]);

    const again = await measured(u);
    expect(again).toEqual({ status: 207, calls: [] });
    const path = `${cal(u)}warm.ics`;
    const requests: Array<[string, () => Promise<Response>]> = [
      ["PUT", () => dav("PUT", path, { as: u, body: ics() })],
      ["GET", () => dav("GET", path, { as: u })],
      ["PROPFIND Depth 1", () => dav("PROPFIND", cal(u), { as: u, headers: { Depth: "1" }, body: propfindBody(["D:getetag"]) })],
      [
        "calendar-multiget",
        () =>
          dav("REPORT", cal(u), {
            as: u,
            body: `<?xml version="1.0"?><C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:calendar-data/></D:prop><D:href>${path}</D:href></C:calendar-multiget>`,
          }),
      ],
      ["calendar-query", () => report(u, `<C:calendar-query ${NS}><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"/></C:filter></C:calendar-query>`)],
      ["sync-collection", () => report(u, `<D:sync-collection ${NS}><D:sync-token/><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`)],
      [
        "free-busy-query",
        () => report(u, `<C:free-busy-query ${NS}><C:time-range start="20250601T000000Z" end="20250701T000000Z"/></C:free-busy-query>`),
      ],
      ["DELETE", () => dav("DELETE", path, { as: u })],
    ];
    for (const [what, send] of requests) {
      await propfind(u); // within the bound of the request below, however slow the machine
      let code = 0;
      const made = await directoryCalls(async () => (code = await status(await send())));
      expect(code, what).toBeLessThan(300);
      expect(made, what).toEqual([]);
    }
  });

  it("keeps each login spelling on its own: the email login asks the Directory once, then not again", async () => {
    const u = await newUser("spell");
    expect((await measured(u)).calls).toEqual(["beginLogin"]);
    const byEmail = { user: `${u.user}@example.com`, password: u.password };
    expect(await measured(byEmail)).toEqual({ status: 207, calls: ["beginLogin"] });
    expect(await measured(byEmail)).toEqual({ status: 207, calls: [] });
  });

  it("sends every wrong password to the Directory's throttle, also for a login it has cached", async () => {
    const u = await newUser("wrong");
    expect((await measured(u)).status).toBe(207);
    for (let i = 0; i < 3; i++) expect(await measured({ user: u.user, password: `guess-${i}` })).toEqual({ status: 401, calls: ["beginLogin", "loginFailed"] });
    // The failures dropped the cached login: the owner's next login goes to the Directory and clears the count.
    expect(await measured(u)).toEqual({ status: 207, calls: ["beginLogin", "loginSucceeded"] });
    expect(await measured(u)).toEqual({ status: 207, calls: [] });
  });
});

describe("revocation takes effect at once in the isolate that made it (admin API)", () => {
  for (const r of revocations) {
    it(`refuses a cached login at once after ${r.name}`, async () => {
      const u = await newUser("now");
      const { revoked, kept, revoke } = await r.setup(u);
      expect((await measured(revoked)).status).toBe(207);
      expect(await measured(revoked)).toEqual({ status: 207, calls: [] }); // cached
      expect(await revoke()).toBe(r.name === "changing the password" ? 200 : 204);
      const after = await measured(revoked);
      expect(after.status).toBe(401);
      expect(after.calls[0]).toBe("beginLogin");
      if (kept) expect((await measured(kept)).status).toBe(207);
    });
  }

  it("hands the request the principal's new addresses at once after they change, and refuses the removed email login", async () => {
    const u = await newUser("addr");
    const oldEmail = { user: `${u.user}@example.com`, password: u.password };
    expect((await measured(u)).status).toBe(207);
    expect((await measured(oldEmail)).status).toBe(207);
    expect(await measured(u)).toEqual({ status: 207, calls: [] });
    expect((await adminFetch("PUT", `/users/${u.user}`, { emails: [`${u.user}@new.example`] })).status).toBe(200);

    expect((await measured(oldEmail)).status).toBe(401);
    const res = await dav("PROPFIND", principal(u), { as: u, headers: { Depth: "0" }, body: propfindBody(["C:calendar-user-address-set"]) });
    const addresses = hrefText((await multistatus(res)).get(principal(u))!.props.get(CAL("calendar-user-address-set"))!.element);
    expect(addresses).toEqual([`mailto:${u.user}@new.example`]);
  });
});

describe(`revocation made by another isolate takes effect here within LOGIN_CACHE_TTL_MS (at most ${MAX_TTL_MS / 1000} s)`, () => {
  const ttl = loginCacheTtlMs(env);

  it("reads the bound from LOGIN_CACHE_TTL_MS, defaults to 30 s, and never lets it exceed 60 s", () => {
    expect(ttl).toBe(Number((env as Env).LOGIN_CACHE_TTL_MS));
    expect(loginCacheTtlMs({ ...env, LOGIN_CACHE_TTL_MS: undefined })).toBe(30_000);
    expect(loginCacheTtlMs({ ...env, LOGIN_CACHE_TTL_MS: "600000" })).toBe(MAX_TTL_MS);
    expect(loginCacheTtlMs({ ...env, LOGIN_CACHE_TTL_MS: "0" })).toBe(0);
    expect(loginCacheTtlMs({ ...env, LOGIN_CACHE_TTL_MS: "soon" })).toBe(30_000);
  });

  for (const r of revocations) {
    it(`keeps a cached login at most the bound after ${r.name} elsewhere, then refuses it`, async () => {
      const u = await newUser("far");
      const { revoked, kept, revoke } = await r.setup(u);
      const other = otherIsolate();
      const t0 = other.clock.now;
      expect(await directoryCalls(async () => expect(await loginVia(other.cache, revoked.user, revoked.password)).toBe(u.user))).toEqual(["beginLogin"]);
      expect(await revoke()).toBeLessThan(300); // through the admin API, in this test's isolate: not the other one

      other.clock.now = t0 + ttl - 1;
      expect(await directoryCalls(async () => expect(await loginVia(other.cache, revoked.user, revoked.password)).toBe(u.user))).toEqual([]);
      other.clock.now = t0 + ttl;
      expect(await loginVia(other.cache, revoked.user, revoked.password)).toBe(401);
      if (kept) expect(await loginVia(other.cache, kept.user, kept.password)).toBe(u.user);
    });
  }

  it("refuses, on the real clock, every revoked credential once the bound has passed since the change (no admin API in this isolate)", async () => {
    // The changes go straight to the Directory, as the admin API of another isolate would make them.
    const directory = env.DIRECTORY.getByName("main");
    const gone = await newUser("far-gone");
    const moved = await newUser("far-moved");
    const app = await newUser("far-app");
    const appCreds = await appPassword(app);
    const hash = await hashPassword(`${moved.password}-new`);
    const revoked: Creds[] = [gone, moved, { user: app.user, password: appCreds.password }];
    for (const c of revoked) expect((await measured(c)).status).toBe(207);
    const changed = Date.now();
    await directory.removePrincipal(gone.user);
    await directory.setPassword(moved.user, hash);
    await directory.removeAppPassword(app.user, appCreds.id);
    // Not seen here yet: the entries are younger than the bound.
    for (const c of revoked) expect(await measured(c)).toEqual({ status: 207, calls: [] });
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, changed + ttl - Date.now())));
    for (const c of revoked) expect((await measured(c)).status, c.user).toBe(401);
  }, 60_000);
});

describe("locks (RFC 6585 §4) and the cache", () => {
  it("answers 429 to the right password of a cached login once the account is locked from this isolate", async () => {
    const u = await newUser("lock");
    expect((await measured(u)).status).toBe(207);
    for (let i = 0; i < POLICY.account.lockAfter; i++) expect((await measured({ user: u.user, password: "guess" })).status).toBe(401);
    expect((await measured({ user: u.user, password: "guess" })).status).toBe(429);
    const right = await measured(u);
    expect(right.status).toBe(429);
  });

  it("answers 429 from its own note to a cached login from an address it saw locked, without a Directory call, and not from other addresses", async () => {
    const address = freshAddress();
    const owner = await newUser("nat");
    const here = otherIsolate(); // a clock of its own: the spray below takes longer than the tests' bound
    expect(await loginVia(here.cache, owner.user, owner.password, address)).toBe(owner.user);
    let n = 0;
    while (n < POLICY.address.lockAfter) {
      const name = `spray-${rnd()}`;
      for (let i = 0; i < 4 && n < POLICY.address.lockAfter; i++, n++) expect(await loginVia(here.cache, name, "x", address)).toBe(401);
    }
    expect(await loginVia(here.cache, `spray-${rnd()}`, "x", address)).toBe(429);
    expect(await directoryCalls(async () => expect(await loginVia(here.cache, owner.user, owner.password, address)).toBe(429))).toEqual([]);
    expect(await directoryCalls(async () => expect(await loginVia(here.cache, owner.user, owner.password, freshAddress())).toBe(owner.user))).toEqual([]);
    expect(await directoryCalls(async () => expect(await loginVia(here.cache, owner.user, owner.password, null)).toBe(owner.user))).toEqual([]);
  });

  it("lets another isolate's cached login in for at most the bound after a lock it has not seen, and not once it sees one", async () => {
    const ttl = loginCacheTtlMs(env);
    const u = await newUser("lock-far");
    const b = otherIsolate();
    const c = otherIsolate();
    const t0 = b.clock.now;
    expect(await loginVia(b.cache, u.user, u.password)).toBe(u.user);
    expect(await loginVia(c.cache, u.user, u.password)).toBe(u.user);
    for (let i = 0; i <= POLICY.account.lockAfter; i++) await measured({ user: u.user, password: "guess" });
    expect((await measured(u)).status).toBe(429);

    // Isolates that have seen no failure: the right password holds until the entry expires, and not a moment longer ...
    b.clock.now = t0 + ttl - 1;
    expect(await loginVia(b.cache, u.user, u.password)).toBe(u.user);
    c.clock.now = t0 + ttl;
    expect(await directoryCalls(async () => expect(await loginVia(c.cache, u.user, u.password)).toBe(429))).toEqual(["beginLogin"]);
    // ... every wrong one still goes to the Directory, which refuses it; that drops the entry, so the right one is refused there too.
    expect(await directoryCalls(async () => expect(await loginVia(b.cache, u.user, "guess")).toBe(429))).toEqual(["beginLogin"]);
    expect(await directoryCalls(async () => expect(await loginVia(b.cache, u.user, u.password)).toBe(429))).toEqual(["beginLogin"]);
  });
});

describe("what the cache holds", () => {
  const someone = (id: string, addresses = [`mailto:${id}@example.com`]): Principal => ({ id, displayName: id, type: "INDIVIDUAL", addresses });

  it("keeps an entry for the lifetime from when the Directory was asked; a hit does not extend it", async () => {
    let now = 0;
    const cache = new LoginCache(() => now);
    const key = await cache.keyOf("a", "pw");
    const ticket = cache.begin();
    now = 400; // the Directory answered later
    expect(cache.remember(key, someone("a"), ticket, 1_000)).toBe(true);
    now = 999;
    expect(cache.lookup(key, null).kind).toBe("hit");
    now = 1_000;
    expect(cache.lookup(key, null).kind).toBe("miss");
    expect(cache.size).toBe(0);
  });

  it("never lives longer than 60 s, whatever it is told", async () => {
    let now = 0;
    const cache = new LoginCache(() => now);
    const key = await cache.keyOf("a", "pw");
    cache.remember(key, someone("a"), cache.begin(), 3_600_000);
    now = MAX_TTL_MS;
    expect(cache.lookup(key, null).kind).toBe("miss");
  });

  it("does not remember an answer the Directory gave before a change in this isolate (a login in flight across it)", async () => {
    const cache = new LoginCache();
    const key = await cache.keyOf("a", "old-pw");
    const ticket = cache.begin();
    cache.forgetPrincipal("a"); // the admin API committed a change while the login was in flight
    expect(cache.remember(key, someone("a"), ticket, 30_000)).toBe(false);
    expect(cache.lookup(key, null).kind).toBe("miss");
  });

  it("holds no password: keys are salted digests that differ per isolate", async () => {
    const password = `secret-${rnd()}`;
    const a = new LoginCache();
    const b = new LoginCache();
    const key = await a.keyOf("alice", password);
    expect(key).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(key).not.toContain(password);
    expect(await a.keyOf("alice", password)).toBe(key);
    expect(await b.keyOf("alice", password)).not.toBe(key);
    expect(await a.keyOf("alice:", password.slice(1))).not.toBe(key);
    a.remember(key, someone("alice"), a.begin(), 30_000);
    const held = JSON.stringify([...(a as unknown as { entries: Map<string, unknown> }).entries]);
    expect(held).not.toContain(password);
  });

  it("is bounded in entries, in bytes and in noted locks, dropping the oldest first", async () => {
    const limits = { ...LIMITS, entries: 5, bytes: 2_500, entryBytes: 2_000, locks: 3 };
    const cache = new LoginCache(Date.now, limits);
    const keys: string[] = [];
    for (let i = 0; i < 20; i++) {
      const key = await cache.keyOf(`u${i}`, "pw");
      keys.push(key);
      expect(cache.remember(key, someone(`u${i}`), cache.begin(), 30_000)).toBe(true);
      expect(cache.size).toBeLessThanOrEqual(limits.entries);
      expect(cache.bytes).toBeLessThanOrEqual(limits.bytes);
    }
    expect(cache.lookup(keys[19]!, null).kind).toBe("hit");
    expect(cache.lookup(keys[0]!, null).kind).toBe("miss");
    // Bytes bind before entries for larger records; a record past entryBytes is not kept at all.
    const big = someone("big", Array.from({ length: 40 }, (_, i) => `mailto:address-${i}@example.com`));
    expect(cache.remember(await cache.keyOf("big", "pw"), big, cache.begin(), 30_000)).toBe(false);
    const mid = someone("mid", Array.from({ length: 12 }, (_, i) => `mailto:address-${i}@example.com`));
    expect(cache.remember(await cache.keyOf("mid", "pw"), mid, cache.begin(), 30_000)).toBe(true);
    expect(cache.bytes).toBeLessThanOrEqual(limits.bytes);
    expect(cache.size).toBeLessThan(limits.entries);
    for (let i = 0; i < 10; i++) cache.noteLocks([{ kind: "address", retryAfterMs: 60_000 }], null, `192.0.2.${i}`);
    expect(cache.lockCount).toBeLessThanOrEqual(limits.locks);
  });

  it("hands out a copy, so a request cannot change what the next one gets", async () => {
    const cache = new LoginCache();
    const key = await cache.keyOf("a", "pw");
    cache.remember(key, someone("a"), cache.begin(), 30_000);
    const got = cache.lookup(key, null);
    if (got.kind !== "hit") throw new Error("expected a hit");
    got.principal.addresses.push("mailto:planted@example.com");
    const again = cache.lookup(key, null);
    expect(again.kind === "hit" && again.principal.addresses).toEqual(["mailto:a@example.com"]);
  });
});
