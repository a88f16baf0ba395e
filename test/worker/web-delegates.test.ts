// Delegates on the web page (calendar-proxy through the page, README
// "Delegation"): adding, changing and removing a delegate is the PROPPATCH of
// DAV:group-member-set a client sends, so the groups' members, the
// delegate's calendar-proxy-*-for and its access to the boss's calendars are
// the DAV ones; the delegate's page lists whom it manages calendars for.
// Refusals are notices with a 4xx and change nothing: an unknown address,
// oneself, no access chosen, a 101st delegate, not a delegate, no CSRF token.
import { describe, expect, it } from "vitest";
import { cal, CS, D, homeSql, ics, newUser, propfindOne, put } from "../helpers/caldav.js";
import { dav, hrefText } from "../helpers/dav-client.js";
import { principalHref, proxyGroup } from "../helpers/delegation.js";
import { email } from "../helpers/sharing.js";
import { Browser } from "../helpers/web.js";

async function signedIn(prefix: string) {
  const u = await newUser(prefix, { name: `${prefix[0]!.toUpperCase()}${prefix.slice(1)} Example` });
  const b = new Browser();
  expect((await b.signIn(u.user, u.password)).status).toBe(303);
  return { u, b, token: await b.token("/app/delegates") };
}

type Who = Awaited<ReturnType<typeof signedIn>>["u"];
const text = async (res: Response) => (await res.text()).replace(/\s+/g, " ");

/** The members of the boss's proxy group, as a client reads them. */
async function members(boss: Who, kind: "read" | "write"): Promise<string[]> {
  const r = await propfindOne(boss, proxyGroup(boss, kind), ["D:group-member-set"]);
  return hrefText(r.props.get(D("group-member-set"))!.element);
}

describe("delegates on the web page", () => {
  it("adds a read delegate by e-mail address, makes it read-write, removes it: the groups, -for and access follow", async () => {
    const boss = await signedIn("boss");
    const helper = await signedIn("helper");
    const added = await boss.b.post("/app/delegates", { _csrf: boss.token, person: email(helper.u), access: "read" });
    expect(added.status, await added.clone().text()).toBe(303);
    expect(await members(boss.u, "read")).toEqual([principalHref(helper.u)]);
    const forProp = await propfindOne(helper.u, principalHref(helper.u), ["CS:calendar-proxy-read-for"]);
    expect(hrefText(forProp.props.get(CS("calendar-proxy-read-for"))!.element)).toEqual([principalHref(boss.u)]);
    expect((await dav("PROPFIND", cal(boss.u), { as: helper.u, headers: { Depth: "0" } })).status).toBe(207);
    expect((await put(helper.u, `${cal(boss.u)}x.ics`, ics({ uid: "x" }))).status, "a read delegate cannot write").toBe(403);
    const listed = await text(await boss.b.fetch("/app/delegates"));
    expect(listed).toContain("Helper Example");
    const managed = await text(await helper.b.fetch("/app/delegates"));
    expect(managed).toContain("Boss Example");
    expect(managed).toContain("read only");

    const changed = await boss.b.post("/app/delegates", { _csrf: boss.token, person: helper.u.user, access: "write" });
    expect(changed.headers.get("location")).toContain("done=changed");
    expect(await members(boss.u, "write")).toEqual([principalHref(helper.u)]);
    expect(await members(boss.u, "read")).toEqual([]);
    expect((await put(helper.u, `${cal(boss.u)}x.ics`, ics({ uid: "x" }))).status).toBe(201);

    expect((await boss.b.post("/app/delegates/remove", { _csrf: boss.token, person: helper.u.user })).status).toBe(303);
    expect(await members(boss.u, "write")).toEqual([]);
    expect((await dav("PROPFIND", cal(boss.u), { as: helper.u, headers: { Depth: "0" } })).status).toBe(404);
    expect(await text(await helper.b.fetch("/app/delegates"))).toContain("No one has made you their delegate");
  });

  it("refuses an unknown address, oneself, a bad access and a non-delegate with a notice (400), changing nothing", async () => {
    const boss = await signedIn("boss");
    for (const [fields, words] of [
      [{ person: "nobody-here@example.com", access: "read" }, "No one on this server"],
      [{ person: boss.u.user, access: "write" }, "That is you"],
      [{ person: "", access: "read" }, "Enter the account name"],
      [{ person: "someone", access: "all" }, "Choose read only or read and write"],
    ] as const) {
      const res = await boss.b.post("/app/delegates", { _csrf: boss.token, ...fields });
      expect(res.status, fields.person).toBe(400);
      const body = await text(res);
      expect(body).toContain('role="alert"');
      expect(body).toContain(words);
    }
    expect((await boss.b.post("/app/delegates/remove", { _csrf: boss.token, person: "someone" })).status).toBe(400);
    expect(await members(boss.u, "read")).toEqual([]);
    expect(await members(boss.u, "write")).toEqual([]);
  });

  it("shows the 100-delegate cap as a notice (409), not a 5xx", async () => {
    const boss = await signedIn("boss");
    const helper = await newUser("helper");
    for (let i = 0; i < 100; i++) await homeSql(boss.u.user, "INSERT INTO proxies (kind, member, created) VALUES ('read', ?, 0)", `filler-${i}`);
    const res = await boss.b.post("/app/delegates", { _csrf: boss.token, person: helper.user, access: "read" });
    expect(res.status).toBe(409);
    expect(await text(res)).toContain("at most 100 members");
    expect(await members(boss.u, "read")).not.toContain(principalHref(helper));
  });

  it("refuses a form without the CSRF token (403)", async () => {
    const boss = await signedIn("boss");
    const helper = await newUser("helper");
    expect((await boss.b.post("/app/delegates", { person: helper.user, access: "write" })).status).toBe(403);
    expect(await members(boss.u, "write")).toEqual([]);
  });
});
