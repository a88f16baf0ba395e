// The web page's sign-in and sessions in the Workers runtime: a browser's
// visit to / is sent to the page while DAV requests to / are answered as
// before; the sign-in takes the account password only (not an app password,
// even one a DAV login just cached) and shares the login throttle with DAV;
// the session cookie is HttpOnly, Secure, SameSite=Lax and __Host- over
// HTTPS; plain HTTP works on loopback only; sign-out, sign-out everywhere,
// a new password and removing the user end sessions; sessions expire.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { POLICY } from "../../src/core/auth/throttle.js";
import type { Directory } from "../../src/directory/directory.js";
import { createSession, IDLE_MS, readSession, SESSION_MS } from "../../src/directory/sessions.js";
import { Sql } from "../../src/sql.js";
import { newUser } from "../helpers/caldav.js";
import { ADMIN_TOKEN, dav } from "../helpers/dav-client.js";
import { Browser } from "../helpers/web.js";

const PROPFIND = '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:current-user-principal/></D:prop></D:propfind>';

async function appPassword(user: string): Promise<string> {
  const res = await dav("POST", `/admin/api/users/${user}/app-passwords`, {
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({ label: "phone" }),
  });
  return ((await res.json()) as { password: string }).password;
}

describe("the server's root", () => {
  it("sends a browser (HTML, no credentials) to the page, and answers DAV requests to / as before", async () => {
    const visit = await new Browser().fetch("/");
    expect(visit.status).toBe(303);
    expect(visit.headers.get("location")).toBe("/app/");
    expect((await dav("PROPFIND", "/", { body: PROPFIND, headers: { Depth: "0" } })).status).toBe(401);
    expect((await dav("GET", "/", { headers: { Accept: "text/html", Depth: "0" } })).status).toBe(401);
    const u = await newUser("root");
    expect((await dav("GET", "/", { as: u, headers: { Accept: "text/html" } })).status).toBe(200);
    expect((await dav("PROPFIND", "/", { as: u, body: PROPFIND, headers: { Depth: "0" } })).status).toBe(207);
    expect((await dav("OPTIONS", "/")).headers.get("DAV")).toContain("calendar-access");
  });

  it("sends an unauthenticated page request to the sign-in with the way back, and never elsewhere", async () => {
    const b = new Browser();
    const res = await b.fetch("/app/calendars?x=1");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/app/sign-in?next=%2Fapp%2Fcalendars%3Fx%3D1");
    const u = await newUser("next");
    const evil = await b.signIn(u.user, u.password, "//evil.example/app/");
    expect(evil.headers.get("location")).toBe("/app/");
  });
});

describe("signing in", () => {
  it("sets an HttpOnly, Secure, SameSite=Lax __Host- cookie and opens the page", async () => {
    const u = await newUser("ok");
    const b = new Browser();
    const res = await b.signIn(u.user, u.password);
    expect(res.status).toBe(303);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("__Host-session="))!;
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; Secure/i);
    expect(cookie).toMatch(/; SameSite=Lax/i);
    expect(cookie).toMatch(/; Path=\//i);
    expect(cookie).not.toMatch(/Domain=/i);
    const page = await b.fetch("/app/");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(u.user);
  });

  it("accepts the e-mail address as the login", async () => {
    const u = await newUser("mail");
    expect((await new Browser().signIn(`${u.user}@example.com`, u.password)).status).toBe(303);
  });

  it("refuses a wrong password (401) and an app password, even one a DAV login just verified and cached", async () => {
    const u = await newUser("app");
    const secret = await appPassword(u.user);
    expect((await dav("PROPFIND", "/", { as: { user: u.user, password: secret }, body: PROPFIND, headers: { Depth: "0" } })).status).toBe(207);
    const b = new Browser();
    const wrong = await b.signIn(u.user, "wrong");
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain("wrong");
    expect((await b.signIn(u.user, secret)).status).toBe(401);
    expect(b.cookies.has("__Host-session")).toBe(false);
  });

  it("shares the throttle with DAV: failed sign-ins lock DAV logins of the account too (429)", async () => {
    const u = await newUser("lock");
    const b = new Browser();
    for (let i = 0; i < POLICY.account.lockAfter; i++) expect((await b.signIn(u.user, `guess-${i}`)).status).toBe(401);
    const locked = await b.signIn(u.user, u.password);
    expect(locked.status).toBe(429);
    expect(locked.headers.get("retry-after")).toMatch(/^\d+$/);
    expect((await dav("PROPFIND", "/", { as: u, body: PROPFIND, headers: { Depth: "0" } })).status).toBe(429);
  });

  it("refuses the sign-in form without its token or from another origin (403)", async () => {
    const u = await newUser("forge");
    const b = new Browser();
    const token = await b.token("/app/sign-in");
    expect((await b.post("/app/sign-in", { _csrf: "nope", login: u.user, password: u.password })).status).toBe(403);
    expect((await b.post("/app/sign-in", { _csrf: token, login: u.user, password: u.password }, { Origin: "https://evil.example" })).status).toBe(403);
    const fresh = new Browser(); // no sign-in cookie at all: sent back to the form
    expect((await fresh.post("/app/sign-in", { _csrf: token, login: u.user, password: u.password })).status).toBe(303);
    expect(fresh.cookies.has("__Host-session")).toBe(false);
  });

  it("works over plain HTTP on loopback (cookie without Secure) and not on any other host", async () => {
    const u = await newUser("loop");
    const local = new Browser("http://127.0.0.1:8787");
    const res = await local.signIn(u.user, u.password);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("session="))!;
    expect(cookie).toBeDefined();
    expect(cookie).not.toMatch(/Secure/i);
    expect((await local.fetch("/app/")).status).toBe(200);
    expect((await new Browser("http://caldav.test").fetch("/app/sign-in")).status).toBe(403);
  });
});

describe("sessions", () => {
  it("ends at sign-out: the old cookie no longer opens the page", async () => {
    const u = await newUser("out");
    const b = new Browser();
    await b.signIn(u.user, u.password);
    const kept = new Map(b.cookies);
    expect((await b.post("/app/sign-out", { _csrf: await b.token("/app/") })).status).toBe(303);
    const replay = new Browser();
    for (const [k, v] of kept) replay.cookies.set(k, v);
    expect((await replay.fetch("/app/")).status).toBe(303);
  });

  it("ends every session of the account at sign-out everywhere, and at a new password", async () => {
    const u = await newUser("every");
    const [one, two] = [new Browser(), new Browser()];
    await one.signIn(u.user, u.password);
    await two.signIn(u.user, u.password);
    expect((await two.fetch("/app/")).status).toBe(200);
    await one.post("/app/sign-out-everywhere", { _csrf: await one.token("/app/") });
    expect((await two.fetch("/app/")).status).toBe(303);

    await two.signIn(u.user, u.password);
    expect((await two.fetch("/app/")).status).toBe(200);
    const res = await dav("PUT", `/admin/api/users/${u.user}`, {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ password: "a-new-one" }),
    });
    expect(res.status).toBe(200);
    expect((await two.fetch("/app/")).status).toBe(303);
  });

  it("ends when the user is removed", async () => {
    const u = await newUser("gone");
    const b = new Browser();
    await b.signIn(u.user, u.password);
    await dav("DELETE", `/admin/api/users/${u.user}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect((await b.fetch("/app/")).status).toBe(303);
  });

  it("expire after a day without use and a week after sign-in, however busy", async () => {
    const stub = env.DIRECTORY.getByName("main");
    await runInDurableObject(stub, (_d: Directory, state: DurableObjectState) => {
      const sql = new Sql(state.storage.sql);
      const t = 1_000_000_000_000;
      createSession(sql, "k-idle", "nobody", "c", t);
      expect(readSession(sql, "k-idle", t + IDLE_MS - 1)).not.toBeNull();
      expect(readSession(sql, "k-idle", t + 2 * IDLE_MS - 2)).not.toBeNull(); // the read above counted as use
      expect(readSession(sql, "k-idle", t + 4 * IDLE_MS)).toBeNull();
      createSession(sql, "k-busy", "nobody", "c", t);
      for (let at = t; at < t + SESSION_MS; at += IDLE_MS / 2) expect(readSession(sql, "k-busy", at)).not.toBeNull();
      expect(readSession(sql, "k-busy", t + SESSION_MS)).toBeNull();
    });
  });
});
