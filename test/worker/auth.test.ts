// Authentication (HTTP Basic, RFC 7617) against the directory, app
// passwords and user removal through the admin API, the admin API's own
// bearer token, and the fixed access model of RFC 3744: a principal owns its
// home and nobody else sees inside it.
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { hashPassword, PBKDF2_ITERATIONS, verifyPassword } from "../../src/core/auth/passwords.js";
import { createUser, dav, hrefText, multistatus, propfindBody, type Creds } from "../helpers/dav-client.js";
import {
  CAL, D, adminFetch, cal, homeEpoch, home, ics, mkcalendar, mkcolBody, newUser, principal, propText,
  proppatchBody, put, putOk, r2Ics, r2Keys, rnd,
} from "../helpers/caldav.js";

const WWW_BASIC = /^Basic\s+realm="[^"]+"/i;
const MAX_ITERATIONS = 100_000;

function iterationsOf(phc: string): number {
  const m = /^\$pbkdf2-sha256\$i=(\d+)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/.exec(phc);
  if (!m) throw new Error(`not a pbkdf2-sha256 PHC string: ${phc}`);
  return Number(m[1]);
}

async function expectChallenge(res: Response, what: string) {
  expect(res.status, what).toBe(401);
  expect(res.headers.get("www-authenticate") ?? "", what).toMatch(WWW_BASIC);
}

async function canLogIn(c: Creds): Promise<number> {
  const res = await dav("PROPFIND", "/", { as: c, headers: { Depth: "0" }, body: propfindBody(["D:current-user-principal"]) });
  await res.arrayBuffer();
  return res.status;
}

describe("Basic authentication", () => {
  it("answers 401 with a Basic realm challenge for missing, wrong and unknown credentials on every DAV path (RFC 7617 §2, RFC 9110 §11.6.1)", async () => {
    const alice = await newUser("auth");
    await putOk(alice, `${cal(alice)}e.ics`, ics());
    const paths = ["/", "/principals/", principal(alice), "/calendars/", home(alice), cal(alice), `${cal(alice)}e.ics`, cal(alice, "inbox"), "/nowhere/"];
    for (const path of paths) {
      // Failed logins are throttled per account (ten in a row lock it: test/worker/hostile/logins.test.ts),
      // so each path gets its own wrong-password victim and its own unknown name.
      const victim = await newUser("auth-victim");
      const who: Array<[string, Creds | null, Record<string, string>]> = [
        ["no credentials", null, {}],
        ["wrong password", { user: victim.user, password: "not-the-password" }, {}],
        ["unknown user", { user: `ghost-${rnd()}`, password: "x" }, {}],
        ["empty password", { user: alice.user, password: "" }, {}],
        ["not Basic", null, { Authorization: "Bearer abc" }],
        ["garbage Basic", null, { Authorization: "Basic %%%" }],
      ];
      for (const [label, as, headers] of who) {
        for (const method of ["PROPFIND", "GET", "PUT", "DELETE", "PROPPATCH", "REPORT"]) {
          const body = method === "PUT" ? ics() : method === "GET" || method === "DELETE" ? undefined : propfindBody(["D:displayname"]);
          const res = await dav(method, path, { as, headers: { Depth: "0", ...headers }, ...(body ? { body } : {}) });
          await expectChallenge(res, `${method} ${path} with ${label}`);
        }
      }
    }
    // Nothing was changed by the refused requests.
    expect((await dav("GET", `${cal(alice)}e.ics`, { as: alice })).status).toBe(200);
  });

  it("refuses MKCALENDAR through the POST override without credentials (RFC 7617 §2)", async () => {
    const alice = await newUser("auth");
    const res = await dav("POST", `${cal(alice, "new")}`, { headers: { "X-HTTP-Method-Override": "MKCALENDAR" } });
    await expectChallenge(res, "MKCALENDAR override");
  });

  it("logs in with the principal name and with any of its email addresses (RFC 7617 §2)", async () => {
    const tag = rnd();
    const bob = await createUser(`bob-${tag}`, { emails: [`bob.${tag}@example.org`, `robert.${tag}@example.net`] });
    for (const login of [bob.user, `bob.${tag}@example.org`, `robert.${tag}@example.net`]) {
      const res = await dav("PROPFIND", "/", { as: { user: login, password: bob.password }, headers: { Depth: "0" }, body: propfindBody(["D:current-user-principal"]) });
      const ms = await multistatus(res);
      expect(hrefText(ms.get("/")!.props.get(D("current-user-principal"))!.element), login).toEqual([principal(bob)]);
    }
  });

  it("accepts a password containing a colon and non-ASCII characters (RFC 7617 §2, §2.1 charset UTF-8)", async () => {
    const carol = await newUser("auth", { password: "pa:ss wörd✓" });
    expect(await canLogIn(carol)).toBe(207);
    expect(await canLogIn({ user: carol.user, password: "pa:ss word✓" })).toBe(401);
  });
});

describe("app passwords", () => {
  it("issues app passwords that log in, and stop working once deleted (admin API)", async () => {
    const dave = await newUser("app");
    const issued = await adminFetch("POST", `/users/${dave.user}/app-passwords`, { label: "iPhone" });
    expect(issued.status).toBe(201);
    const { id, password } = (await issued.json()) as { id: string; password: string };
    expect(password.length).toBeGreaterThanOrEqual(16);
    const app: Creds = { user: dave.user, password };
    expect(await canLogIn(app)).toBe(207);
    // The app password also works with the email login, and the main password keeps working.
    expect(await canLogIn({ user: `${dave.user}@example.com`, password })).toBe(207);
    expect(await canLogIn(dave)).toBe(207);

    const del = await adminFetch("DELETE", `/users/${dave.user}/app-passwords/${id}`);
    expect(del.status).toBe(204);
    const res = await dav("PROPFIND", "/", { as: app, headers: { Depth: "0" }, body: propfindBody(["D:current-user-principal"]) });
    await expectChallenge(res, "deleted app password");
    expect(await canLogIn(dave)).toBe(207);
  });

  it("the app-password route cannot remove the account password: 404, and it keeps working", async () => {
    const fay = await newUser("app");
    const user = (await (await adminFetch("GET", `/users/${fay.user}`)).json()) as { credentials: Array<{ id: string; kind: string }> };
    const password = user.credentials.find((c) => c.kind === "password")!;
    expect((await adminFetch("DELETE", `/users/${fay.user}/app-passwords/${password.id}`)).status).toBe(404);
    expect(await canLogIn(fay)).toBe(207);
  });

  it("does not let one user's app password log in as another user", async () => {
    const a = await newUser("app");
    const b = await newUser("app");
    const { password } = (await (await adminFetch("POST", `/users/${a.user}/app-passwords`, { label: "laptop" })).json()) as { password: string };
    expect(await canLogIn({ user: b.user, password })).toBe(401);
  });
});

describe("user removal", () => {
  it("refuses login after the user is removed, and removes the user's calendar data and bodies", async () => {
    const erin = await newUser("gone");
    // Bodies this large are kept in R2 (home/bodies.ts); removal must take them too.
    await putOk(erin, `${cal(erin)}a.ics`, r2Ics());
    await putOk(erin, `${cal(erin, "tasks")}t.ics`, r2Ics({ component: "VTODO" }));
    await putOk(erin, `${cal(erin)}small.ics`, ics());
    const epoch = await homeEpoch(erin.user);
    expect((await r2Keys(`${epoch}/`)).length).toBe(2);
    const { password: appPassword } = (await (await adminFetch("POST", `/users/${erin.user}/app-passwords`, { label: "x" })).json()) as { password: string };

    const del = await adminFetch("DELETE", `/users/${erin.user}`);
    expect(del.status).toBe(204);
    await expectChallenge(await dav("PROPFIND", "/", { as: erin, headers: { Depth: "0" }, body: propfindBody(["D:displayname"]) }), "removed user");
    await expectChallenge(await dav("GET", `${cal(erin)}a.ics`, { as: { user: erin.user, password: appPassword } }), "removed user's app password");
    await expectChallenge(await dav("GET", `${cal(erin)}a.ics`, { as: { user: `${erin.user}@example.com`, password: erin.password } }), "removed user's email login");
    expect(await r2Keys(`${epoch}/`)).toEqual([]);
    expect((await adminFetch("GET", `/users/${erin.user}`)).status).toBe(404);
  });

  it("gives a user re-created under a removed name a fresh, working, empty home", async () => {
    const name = `again-${rnd()}`;
    const first = await createUser(name);
    await putOk(first, `${cal(first)}a.ics`, ics());
    expect((await adminFetch("DELETE", `/users/${name}`)).status).toBe(204);

    const second = await createUser(name, { password: "a-new-password" });
    expect((await dav("GET", `${cal(second)}a.ics`, { as: second })).status).toBe(404);
    const ms = await multistatus(await dav("PROPFIND", home(second), { as: second, headers: { Depth: "1" }, body: propfindBody(["D:resourcetype"]) }));
    expect(ms.has(cal(second))).toBe(true);
    expect(ms.has(cal(second, "tasks"))).toBe(true);
    expect((await put(second, `${cal(second)}b.ics`, ics())).status).toBe(201);
    // The old password does not carry over.
    expect(await canLogIn(first)).toBe(401);
  });
});

describe("admin API", () => {
  it("refuses a wrong, missing or non-Bearer admin token with 401 and changes nothing", async () => {
    const name = `adm-${rnd()}`;
    for (const auth of [`Bearer wrong-token`, "", "Basic dGVzdDp0ZXN0", "Bearer test-admin-token-but-longer", "Bearer "]) {
      const { exports } = await import("cloudflare:workers");
      const res = await exports.default.fetch(
        new Request(`http://caldav.test/admin/api/users/${name}`, {
          method: "PUT",
          headers: { ...(auth ? { Authorization: auth } : {}), "Content-Type": "application/json" },
          body: JSON.stringify({ password: "x" }),
        }),
      );
      expect(res.status, auth).toBe(401);
    }
    expect((await adminFetch("GET", `/users/${name}`)).status).toBe(404);
    expect((await adminFetch("GET", "/users", undefined, "nope")).status).toBe(401);
  });

  it("answers 400 to a body of the wrong shape, and creates nothing (bad input is never a 5xx)", async () => {
    const name = `adm-shape-${rnd()}`;
    const bad: unknown[] = [
      [1, 2],
      "a string",
      null,
      { password: "long enough password", emails: [{}, 5, "not an address"] },
      { password: "long enough password", emails: "bob@example.com" },
      { password: "long enough password", emails: Array.from({ length: 101 }, (_, i) => `a${i}@example.com`) },
      { password: "x".repeat(1025) },
      { password: 12345678 },
      { password: "long enough password", displayName: 7 },
      { password: "long enough password", displayName: "n".repeat(101) },
      { password: "long enough password", admin: "yes" },
      { password: "long enough password", type: ["ROOM"] },
    ];
    for (const body of bad) {
      const res = await adminFetch("PUT", `/users/${name}`, body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
    }
    expect((await adminFetch("GET", `/users/${name}`)).status).toBe(404);
    // An app password's label too.
    expect((await adminFetch("PUT", `/users/${name}`, { password: "long enough password" })).status).toBe(201);
    expect((await adminFetch("POST", `/users/${name}/app-passwords`, { label: 42 })).status).toBe(400);
    expect((await adminFetch("POST", `/users/${name}/app-passwords`, [])).status).toBe(400);
    expect((await adminFetch("POST", `/users/${name}/app-passwords`, { label: "phone" })).status).toBe(201);
  });

  it("does not accept the admin token as a DAV login (RFC 7617)", async () => {
    const res = await dav("PROPFIND", "/", { headers: { Depth: "0", Authorization: "Bearer test-admin-token" }, body: propfindBody(["D:displayname"]) });
    expect(res.status).toBe(401);
  });
});

describe("password hashing", () => {
  it("never configures more than 100,000 PBKDF2 iterations (Workers refuse more)", async () => {
    expect(PBKDF2_ITERATIONS).toBeLessThanOrEqual(MAX_ITERATIONS);
    const phc = await hashPassword("correct horse battery staple");
    const n = iterationsOf(phc);
    expect(n).toBeLessThanOrEqual(MAX_ITERATIONS);
    expect(n).toBe(PBKDF2_ITERATIONS);
    expect(await verifyPassword("correct horse battery staple", phc)).toBe(true);
    expect(await verifyPassword("correct horse battery stapl", phc)).toBe(false);
  });

  it("stores every login password in the directory with at most 100,000 PBKDF2 iterations", async () => {
    const u = await newUser("hash");
    const hashes = await runInDurableObject(env.DIRECTORY.getByName("main"), (_i: unknown, state: DurableObjectState) =>
      state.storage.sql.exec<{ hash: string }>("SELECT hash FROM credentials WHERE kind = 'password'").toArray().map((r) => r.hash),
    );
    expect(hashes.length).toBeGreaterThan(0);
    for (const h of hashes) expect(iterationsOf(h)).toBeLessThanOrEqual(MAX_ITERATIONS);
    expect(await canLogIn(u)).toBe(207);
  });

  it("refuses to hash or verify with more than 100,000 iterations", async () => {
    await expect(hashPassword("x", MAX_ITERATIONS + 1)).rejects.toThrow();
    // A genuine hash with more iterations (say, imported from elsewhere) must not be run: verification refuses it.
    const iterations = MAX_ITERATIONS * 2;
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const key = await crypto.subtle.importKey("raw", new TextEncoder().encode("x"), "PBKDF2", false, ["deriveBits"]);
    const bits = new Uint8Array(await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256));
    const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b)).replace(/=+$/, "");
    const heavy = `$pbkdf2-sha256$i=${iterations}$${b64(salt)}$${b64(bits)}`;
    await expect(verifyPassword("x", heavy).catch(() => false)).resolves.toBe(false);
  });
});

describe("access between principals", () => {
  async function twoUsers() {
    const alice = await newUser("owner");
    const mallory = await newUser("other");
    const etag = await putOk(alice, `${cal(alice)}secret.ics`, ics({ summary: "Secret" }));
    return { alice, mallory, etag };
  }

  it("hides another user's home, calendars and objects from PROPFIND, GET and REPORT (RFC 3744 §7.1, RFC 4918 §9.1)", async () => {
    const { alice, mallory } = await twoUsers();
    for (const path of [home(alice), cal(alice), cal(alice, "inbox"), `${cal(alice)}secret.ics`]) {
      const pf = await dav("PROPFIND", path, { as: mallory, headers: { Depth: "0" }, body: propfindBody(["D:displayname"]) });
      expect([403, 404], `PROPFIND ${path}`).toContain(pf.status);
      expect(await pf.text()).not.toContain("Secret");
    }
    const get = await dav("GET", `${cal(alice)}secret.ics`, { as: mallory });
    expect([403, 404]).toContain(get.status);
    expect(await get.text()).not.toContain("Secret");
    const rep = await dav("REPORT", cal(alice), {
      as: mallory,
      headers: { Depth: "1" },
      body: `<?xml version="1.0"?><C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:calendar-data/></D:prop><D:href>${cal(alice)}secret.ics</D:href></C:calendar-multiget>`,
    });
    expect([403, 404]).toContain(rep.status);
    expect(await rep.text()).not.toContain("Secret");
    // A Depth 1 PROPFIND on /calendars/ lists only the requester's own home.
    const list = await multistatus(await dav("PROPFIND", "/calendars/", { as: mallory, headers: { Depth: "1" }, body: propfindBody(["D:resourcetype"]) }));
    expect(list.has(home(alice))).toBe(false);
  });

  it("refuses writes into another user's home: PUT, DELETE, PROPPATCH, MKCALENDAR, MKCOL, COPY, MOVE (RFC 3744 §3)", async () => {
    const { alice, mallory, etag } = await twoUsers();
    const obj = `${cal(alice)}secret.ics`;
    const refused = [403, 404, 405];
    expect(refused).toContain((await put(mallory, `${cal(alice)}planted.ics`, ics())).status);
    expect(refused).toContain((await put(mallory, obj, ics({ summary: "Overwritten" }))).status);
    expect(refused).toContain((await dav("DELETE", obj, { as: mallory })).status);
    expect(refused).toContain((await dav("DELETE", cal(alice), { as: mallory })).status);
    expect(refused).toContain((await dav("PROPPATCH", cal(alice), { as: mallory, body: proppatchBody("<D:displayname>pwned</D:displayname>") })).status);
    expect(refused).toContain((await mkcalendar(mallory, cal(alice, "planted"))).status);
    expect(refused).toContain((await dav("MKCOL", cal(alice, "planted2"), { as: mallory, body: mkcolBody("") })).status);
    await putOk(mallory, `${cal(mallory)}mine.ics`, ics());
    expect(refused).toContain((await dav("COPY", `${cal(mallory)}mine.ics`, { as: mallory, headers: { Destination: `${cal(alice)}copied.ics` } })).status);
    expect(refused).toContain((await dav("MOVE", `${cal(mallory)}mine.ics`, { as: mallory, headers: { Destination: `${cal(alice)}moved.ics` } })).status);
    expect(refused).toContain((await dav("COPY", obj, { as: mallory, headers: { Destination: `${cal(mallory)}stolen.ics` } })).status);
    expect(refused).toContain((await dav("MOVE", obj, { as: mallory, headers: { Destination: `${cal(mallory)}stolen2.ics` } })).status);

    // Alice's home is exactly as before.
    const after = await dav("GET", obj, { as: alice });
    expect(after.status).toBe(200);
    expect(after.headers.get("etag")).toBe(etag);
    const listing = await multistatus(await dav("PROPFIND", cal(alice), { as: alice, headers: { Depth: "1" }, body: propfindBody(["D:getetag", "D:displayname"]) }));
    expect([...listing.keys()].sort()).toEqual([cal(alice), obj].sort());
    expect(propText(listing.get(cal(alice))!, D("displayname"))).toBe("Calendar");
    const homeListing = await multistatus(await dav("PROPFIND", home(alice), { as: alice, headers: { Depth: "1" }, body: propfindBody(["D:resourcetype"]) }));
    expect(homeListing.has(cal(alice, "planted"))).toBe(false);
    expect(homeListing.has(cal(alice, "planted2"))).toBe(false);
    expect((await dav("GET", `${cal(mallory)}stolen.ics`, { as: mallory })).status).toBe(404);
  });

  it("lets any user PROPFIND another principal for its addresses and home, but not PROPPATCH it (RFC 3744 §5.8, RFC 6638 §2.4.1)", async () => {
    const { alice, mallory } = await twoUsers();
    const r = (await multistatus(await dav("PROPFIND", principal(alice), {
      as: mallory,
      headers: { Depth: "0" },
      body: propfindBody(["D:displayname", "C:calendar-user-address-set", "C:calendar-home-set", "D:current-user-privilege-set"]),
    }))).get(principal(alice))!;
    expect(hrefText(r.props.get(CAL("calendar-user-address-set"))!.element)).toEqual([`mailto:${alice.user}@example.com`]);
    expect(propText(r, D("displayname"))).toBe(alice.user);
    const pp = await dav("PROPPATCH", principal(alice), { as: mallory, body: proppatchBody("<D:displayname>pwned</D:displayname>") });
    if (pp.status === 207) {
      const ms = await multistatus(pp);
      expect(ms.get(principal(alice))!.props.get(D("displayname"))!.status).toBe(403);
    } else expect([403, 404]).toContain(pp.status);
    const again = (await multistatus(await dav("PROPFIND", principal(alice), { as: alice, headers: { Depth: "0" }, body: propfindBody(["D:displayname"]) }))).get(principal(alice))!;
    expect(propText(again, D("displayname"))).toBe(alice.user);
  });
});

describe("garbage after removal", () => {
  it("leaves no R2 body behind for a removed user whose replaced bodies were still waiting for collection", async () => {
    const u = await newUser("gc-gone");
    const p = `${cal(u)}a.ics`;
    const uid = `${rnd()}@test.example`;
    await putOk(u, p, r2Ics({ uid, summary: "one" }));
    await putOk(u, p, r2Ics({ uid, summary: "two" })); // the first body (in R2: large) is now garbage in its grace period
    const epoch = await homeEpoch(u.user);
    expect((await r2Keys(`${epoch}/`)).length).toBe(2);
    expect((await adminFetch("DELETE", `/users/${u.user}`)).status).toBe(204);
    expect(await r2Keys(`${epoch}/`)).toEqual([]);
  });
});
