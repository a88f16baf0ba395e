// The documented user command (`npm run user -- ...`, i.e. scripts/user.mjs)
// is scriptable against a real `wrangler dev`: exit codes, list, logins,
// passwords, app passwords, removal, a wrong token, and the admin API being
// off without ADMIN_TOKEN.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addUser, basic, startServer, userCli, type Credentials, type TestServer } from "./server.js";

const N = 40;
const PARALLEL = 4;
const names = Array.from({ length: N }, (_, i) => `user${String(i).padStart(2, "0")}`);
const passwordOf = (name: string) => `secret-${name}`;

const PROPFIND_CUP =
  '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:current-user-principal/></D:prop></D:propfind>';

interface Login {
  status: number;
  body: string;
}

async function login(server: TestServer, c: Credentials): Promise<Login> {
  const res = await fetch(`${server.url}/`, {
    method: "PROPFIND",
    headers: { Authorization: basic(c), Depth: "0", "Content-Type": "application/xml; charset=utf-8" },
    body: PROPFIND_CUP,
  });
  return { status: res.status, body: await res.text() };
}

/** The href inside DAV:current-user-principal, whatever the prefix. */
function currentUserPrincipal(xml: string): string | undefined {
  const m = /<(?:[\w.-]+:)?current-user-principal\b[^>]*>\s*<(?:[\w.-]+:)?href\b[^>]*>([^<]*)</.exec(xml);
  return m?.[1]?.trim();
}

async function expectLogin(server: TestServer, c: Credentials): Promise<void> {
  const r = await login(server, c);
  expect(r.status, `${c.username}: ${r.body}`).toBe(207);
  expect(currentUserPrincipal(r.body), r.body).toBe(`/principals/${c.username}/`);
}

async function expectRefused(server: TestServer, c: Credentials): Promise<void> {
  const r = await login(server, c);
  expect(r.status, `${c.username} should be refused: ${r.body}`).toBe(401);
}

describe("scripts/user.mjs against wrangler dev", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it(`adds ${N} users (${PARALLEL} at a time), lists them, and each can log in`, async () => {
    for (let i = 0; i < N; i += PARALLEL) {
      await Promise.all(
        names.slice(i, i + PARALLEL).map((name) =>
          addUser(server, name, { password: passwordOf(name), emails: [`${name}@example.com`], name: `User ${name}` }),
        ),
      );
    }

    const list = await userCli(server, ["list"]);
    expect(list.code, list.stderr).toBe(0);
    const lines = list.stdout.trim().split("\n");
    expect(lines).toHaveLength(N);
    const listed = lines.map((l) => l.split("\t"));
    expect(listed.map((f) => f[0]).sort()).toEqual(names);
    for (const f of listed) {
      expect(f[1]).toBe("INDIVIDUAL");
      expect(f[2]).toBe(`User ${f[0]}`);
      expect(f[3]).toBe(`mailto:${f[0]}@example.com`);
    }

    const json = await userCli(server, ["list", "--json"]);
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as { id: string }[]).map((p) => p.id).sort()).toEqual(names);

    for (let i = 0; i < N; i += 8)
      await Promise.all(names.slice(i, i + 8).map((name) => expectLogin(server, { username: name, password: passwordOf(name) })));
  });

  it("logs in with an email address too, and refuses a wrong password", async () => {
    await expectRefused(server, { username: "user00", password: "wrong" });
    const r = await login(server, { username: "user00@example.com", password: passwordOf("user00") });
    expect(r.status, r.body).toBe(207);
    expect(currentUserPrincipal(r.body)).toBe("/principals/user00/");
  });

  it("passwd changes a password: the old one fails with 401, the new one works", async () => {
    const r = await userCli(server, ["passwd", "user01", "--password", "brand-new"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("password set for user01");
    await expectRefused(server, { username: "user01", password: passwordOf("user01") });
    await expectLogin(server, { username: "user01", password: "brand-new" });
  });

  it("app-password prints a working password; revoke (id from show --json) stops it", async () => {
    const issued = await userCli(server, ["app-password", "user02", "--label", "phone"]);
    expect(issued.code, issued.stderr).toBe(0);
    const secret = issued.stdout.split("\n")[0]!.trim();
    expect(secret.length).toBeGreaterThanOrEqual(16);
    expect(issued.stdout).toContain('app password "phone" for user02');

    await expectLogin(server, { username: "user02", password: secret });
    await expectLogin(server, { username: "user02", password: passwordOf("user02") }); // the login password still works

    const show = await userCli(server, ["show", "user02", "--json"]);
    expect(show.code, show.stderr).toBe(0);
    const shown = JSON.parse(show.stdout) as { id: string; credentials: { id: string; kind: string; label: string }[] };
    expect(show.stdout).not.toContain(secret); // never the secret
    const cred = shown.credentials.find((c) => c.label === "phone");
    expect(cred, show.stdout).toBeDefined();

    const revoked = await userCli(server, ["revoke", "user02", cred!.id]);
    expect(revoked.code, revoked.stderr).toBe(0);
    await expectRefused(server, { username: "user02", password: secret });
    await expectLogin(server, { username: "user02", password: passwordOf("user02") });

    const again = await userCli(server, ["revoke", "user02", cred!.id]);
    expect(again.code).not.toBe(0);
  });

  it("remove deletes a user: 401 afterwards, gone from list", async () => {
    const r = await userCli(server, ["remove", "user03"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("removed user03");
    await expectRefused(server, { username: "user03", password: passwordOf("user03") });

    const list = await userCli(server, ["list"]);
    const ids = list.stdout.trim().split("\n").map((l) => l.split("\t")[0]);
    expect(ids).toHaveLength(N - 1);
    expect(ids).not.toContain("user03");

    const show = await userCli(server, ["show", "user03"]);
    expect(show.code).toBe(1);
    expect(show.stderr).toMatch(/404/);
  });

  it("a wrong --token fails with exit status 1 and a clear message", async () => {
    const r = await userCli(server, ["add", "mallory", "--password", "x"], { token: "not-the-token" });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^user: PUT \/users\/mallory: 401 .*bad admin token/m);
    const list = await userCli(server, ["list"]);
    expect(list.stdout).not.toContain("mallory");
  });

  it("bad usage fails with exit status 1 and the usage text", async () => {
    const r = await userCli(server, ["add", "nopassword"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("add needs --password");
    const unknown = await userCli(server, ["frobnicate"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toContain("usage: npm run user");
  });
});

describe("without --var ADMIN_TOKEN", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({ admin: false });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it("the admin API answers 404 and the CLI says so", async () => {
    const res = await fetch(`${server.url}/admin/api/users`, { headers: { Authorization: "Bearer anything" } });
    expect(res.status).toBe(404);
    await res.arrayBuffer();
    const r = await userCli(server, ["list"], { token: "anything" });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/GET \/users: 404 .*admin API is disabled/);
  });
});
