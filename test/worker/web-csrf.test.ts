// The web page's defences in the Workers runtime: every state-changing request
// needs the session's CSRF token and must come from this origin (403
// otherwise, and nothing changes); forms have a size cap (413); every answer
// carries a CSP without inline script and the other security headers; the
// stylesheet is a response of its own; administration is for admins only.
import { describe, expect, it } from "vitest";
import { CSP } from "../../src/web/headers.js";
import { FORM_CAP } from "../../src/web/csrf.js";
import { newUser, rnd } from "../helpers/caldav.js";
import { ADMIN_TOKEN, dav } from "../helpers/dav-client.js";
import { Browser } from "../helpers/web.js";

async function signedIn(prefix: string): Promise<{ b: Browser; user: string; token: string }> {
  const u = await newUser(prefix);
  const b = new Browser();
  expect((await b.signIn(u.user, u.password)).status).toBe(303);
  return { b, user: u.user, token: await b.token("/app/calendars") };
}

async function calendarNames(b: Browser): Promise<string> {
  return (await (await b.fetch("/app/calendars")).text()).replace(/\s+/g, " ");
}

describe("CSRF", () => {
  it("refuses a post without the token, with a wrong one, or from another origin (403), and changes nothing", async () => {
    const { b, token } = await signedIn("csrf");
    const form = { name: "Forged", color: "#000000", comp: "VEVENT" };
    expect((await b.post("/app/calendars", form)).status).toBe(403);
    expect((await b.post("/app/calendars", { ...form, _csrf: `${token}x` })).status).toBe(403);
    expect((await b.post("/app/calendars", { ...form, _csrf: token }, { Origin: "https://evil.example" })).status).toBe(403);
    expect((await b.post("/app/calendars", { ...form, _csrf: token }, { Origin: "null" })).status).toBe(403);
    const crossSite = await b.fetch("/app/calendars", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "", "Sec-Fetch-Site": "cross-site" },
      body: new URLSearchParams({ ...form, _csrf: token }).toString(),
    });
    expect(crossSite.status).toBe(403);
    expect(await calendarNames(b)).not.toContain("Forged");
    expect((await b.post("/app/calendars", { ...form, _csrf: token })).status).toBe(303);
    expect(await calendarNames(b)).toContain("Forged");
  });

  it("takes the token from the X-CSRF-Token header too (a script's fetch)", async () => {
    const { b, token } = await signedIn("hdr");
    const res = await b.post("/app/calendars", { name: "By header", color: "#112233", comp: "VTODO" }, { "X-CSRF-Token": token });
    expect(res.status).toBe(303);
  });

  it("refuses a token of another session", async () => {
    const one = await signedIn("one");
    const two = await signedIn("two");
    expect((await one.b.post("/app/calendars", { name: "Mixed", color: "#000000", comp: "VEVENT", _csrf: two.token })).status).toBe(403);
  });

  it("refuses a form over its cap (413) and one that is not a form (415)", async () => {
    const { b, token } = await signedIn("big");
    expect((await b.post("/app/calendars", { _csrf: token, name: "x".repeat(FORM_CAP) })).status).toBe(413);
    const json = await b.fetch("/app/calendars", { method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": token }, body: "{}" });
    expect(json.status).toBe(415);
  });
});

describe("headers", () => {
  it("sends the CSP and the other security headers on pages, errors and redirects", async () => {
    const { b } = await signedIn("hdrs");
    for (const res of [await b.fetch("/app/"), await b.fetch("/app/nothing-here"), await new Browser().fetch("/app/"), await new Browser().fetch("/app/sign-in")]) {
      expect(res.headers.get("content-security-policy")).toBe(CSP);
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    }
    expect(CSP).toContain("script-src 'self'");
    expect(CSP).not.toContain("unsafe-inline");
    expect((await b.fetch("/app/")).headers.get("cache-control")).toBe("no-store");
    expect((await b.fetch("/app/nothing-here")).status).toBe(404);
  });

  it("serves the stylesheet as its own response, and pages with no inline script or style", async () => {
    const { b } = await signedIn("css");
    const html = await (await b.fetch("/app/calendars")).text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/i);
    expect(html).not.toMatch(/\sstyle=/i);
    expect(html).not.toMatch(/<style/i);
    const href = /<link rel="stylesheet" href="([^"]+)"/.exec(html)![1]!;
    const css = await b.fetch(href);
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toContain("text/css");
  });
});

describe("administration", () => {
  it("is not there for a user who is not an admin (404), and is for one marked admin", async () => {
    const { b, user } = await signedIn("adm");
    expect((await b.fetch("/app/admin")).status).toBe(404);
    const res = await dav("PUT", `/admin/api/users/${user}`, {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ admin: true }),
    });
    expect(res.status).toBe(200);
    expect((await b.fetch("/app/admin")).status).toBe(200);
    const shown = await dav("GET", `/admin/api/users/${user}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(((await shown.json()) as { admin: boolean }).admin).toBe(true);
  });

  it("lets an admin add a room without a password, and refuses a name that is taken", async () => {
    const { b, user } = await signedIn("own");
    await dav("PUT", `/admin/api/users/${user}`, {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ admin: true }),
    });
    const token = await b.token("/app/admin");
    const room = `room-${rnd()}`;
    expect((await b.post("/app/admin/users", { _csrf: token, id: room, name: "Room", type: "ROOM" })).status).toBe(303);
    const shown = await dav("GET", `/admin/api/users/${room}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(((await shown.json()) as { type: string }).type).toBe("ROOM");
    expect((await b.post("/app/admin/users", { _csrf: token, id: room, name: "Again", type: "ROOM" })).status).toBe(400);
  });
});
