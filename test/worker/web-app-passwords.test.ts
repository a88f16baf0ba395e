// App passwords on the web page in the Workers runtime: revoking one refuses
// its next DAV login at once, even one this isolate had cached; the account
// password cannot be "revoked" there; and a credential's last use is written
// when a login reaches the Directory and the recorded use is stale
// (LAST_USE_EVERY_MS), with no extra Directory call otherwise.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Directory } from "../../src/directory/directory.js";
import { LAST_USE_EVERY_MS } from "../../src/http/login.js";
import { Sql } from "../../src/sql.js";
import { newUser } from "../helpers/caldav.js";
import { dav } from "../helpers/dav-client.js";
import { Browser } from "../helpers/web.js";
import { setTimezone } from "../../src/web/agenda/timezone.js";
import type { Principal } from "../../src/core/model.js";

const PROPFIND = '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:current-user-principal/></D:prop></D:propfind>';
const login = async (user: string, password: string) => (await dav("PROPFIND", "/", { as: { user, password }, body: PROPFIND, headers: { Depth: "0" } })).status;
const directory = () => env.DIRECTORY.getByName("main");

async function createOnPage(b: Browser, label: string): Promise<string> {
  const res = await b.post("/app/app-passwords", { _csrf: await b.token("/app/app-passwords"), label });
  expect(res.status).toBe(200);
  return /id="secret">([^<]+)</.exec(await res.text())![1]!;
}

describe("app passwords on the web page", () => {
  it("shows creation times in the timezone the person chose, named, and in UTC before they chose one", async () => {
    const u = await newUser("tz");
    const b = new Browser();
    await b.signIn(u.user, u.password);
    await createOnPage(b, "phone");
    expect(await (await b.fetch("/app/app-passwords")).text()).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    await setTimezone(env, { id: u.user } as Principal, "Asia/Kathmandu");
    const page = await (await b.fetch("/app/app-passwords")).text();
    const shown = /(\d{4}-\d\d-\d\d \d\d:\d\d) Asia\/Kathmandu/.exec(page);
    expect(shown, "a time named Asia/Kathmandu").not.toBeNull();
    // UTC+05:45 all year: the minutes differ from UTC's by 45.
    const utc = new Date(Date.parse(`${shown![1]!.replace(" ", "T")}:00Z`) - (5 * 60 + 45) * 60_000);
    expect(Math.abs(utc.getTime() - Date.now())).toBeLessThan(10 * 60_000);
  });

  it("revokes one at once, even a login this isolate has cached", async () => {
    const u = await newUser("rev");
    const b = new Browser();
    await b.signIn(u.user, u.password);
    const secret = await createOnPage(b, "laptop");
    expect(await login(u.user, secret)).toBe(207);
    expect(await login(u.user, secret)).toBe(207); // now from the login cache
    const page = await (await b.fetch("/app/app-passwords")).text();
    const action = /action="(\/app\/app-passwords\/[^"]+\/revoke)"/.exec(page)![1]!;
    expect((await b.post(action, { _csrf: await b.token("/app/app-passwords") })).status).toBe(303);
    expect(await login(u.user, secret)).toBe(401);
    expect(await login(u.user, u.password)).toBe(207);
  });

  it("does not revoke the account password through the app-password form (404)", async () => {
    const u = await newUser("acct");
    const b = new Browser();
    await b.signIn(u.user, u.password);
    const creds = await directory().listCredentials(u.user);
    const password = creds.find((c) => c.kind === "password")!;
    expect((await b.post(`/app/app-passwords/${password.id}/revoke`, { _csrf: await b.token("/app/") })).status).toBe(404);
    expect(await login(u.user, u.password)).toBe(207);
  });

  it("records last use when the recorded one is older than LAST_USE_EVERY_MS, and shows it", async () => {
    const u = await newUser("used");
    const b = new Browser();
    await b.signIn(u.user, u.password);
    const secret = await createOnPage(b, "tablet");
    const [cred] = (await directory().listCredentials(u.user)).filter((c) => c.kind === "app");
    expect(cred!.lastUsed).toBeNull();
    // Made long ago: its first login is recorded.
    await runInDurableObject(directory(), (_d: Directory, state: DurableObjectState) => {
      new Sql(state.storage.sql).run("UPDATE credentials SET created = ? WHERE id = ?", Date.now() - 2 * LAST_USE_EVERY_MS, cred!.id);
    });
    const before = Date.now();
    expect(await login(u.user, secret)).toBe(207);
    const after = (await directory().listCredentials(u.user)).find((c) => c.id === cred!.id)!;
    expect(after.lastUsed).toBeGreaterThanOrEqual(before);
    expect(await (await b.fetch("/app/app-passwords")).text()).not.toContain("not yet recorded");
  });
});
