// Sharing on the web page (calendarserver-sharing through the page, README
// "Sharing"): the owner's form sends the CS:share a client sends, so CS:invite
// and the sharee's notification are the DAV ones; the sharee's Accept is the
// CS:invite-reply, after which the calendar is in its home; Leave is the
// sharee's DELETE. What the page refuses it names in a notice with a 4xx,
// never a 5xx, and changes nothing: an unknown address, oneself, a 201st
// sharee, a form without the CSRF token, an invitation or sharee that is not
// there.
import { describe, expect, it } from "vitest";
import { cal, CS, D, homeSql, newUser, propfindOne, propText } from "../helpers/caldav.js";
import { hrefText } from "../helpers/dav-client.js";
import { email, notifications } from "../helpers/sharing.js";
import { Browser } from "../helpers/web.js";
import { childElements } from "../../src/core/xml/tree.js";

async function signedIn(prefix: string) {
  const u = await newUser(prefix, { name: `${prefix[0]!.toUpperCase()}${prefix.slice(1)} Example` });
  const b = new Browser();
  expect((await b.signIn(u.user, u.password)).status).toBe(303);
  return { u, b, token: await b.token("/app/calendars") };
}

const text = async (res: Response) => (await res.text()).replace(/\s+/g, " ");

/** The sharees CS:invite lists on the owner's calendar, as principal hrefs. */
async function invited(owner: Awaited<ReturnType<typeof signedIn>>["u"]): Promise<string[]> {
  const r = await propfindOne(owner, cal(owner), ["CS:invite"]);
  const p = r.props.get(CS("invite"));
  return p?.status === 200 ? childElements(p.element).flatMap((u) => hrefText(u)) : [];
}

describe("sharing a calendar on the web page", () => {
  it("shares by e-mail address, the sharee accepts on its page, the owner changes the access and removes it", async () => {
    const alice = await signedIn("alice");
    const bob = await signedIn("bob");
    const shared = await alice.b.post("/app/calendars/calendar/sharing", { _csrf: alice.token, person: email(bob.u), access: "read-write" });
    expect(shared.status, await shared.clone().text()).toBe(303);
    expect(await invited(alice.u)).toEqual([`/principals/${bob.u.user}/`]);
    expect(await notifications(bob.u)).toHaveLength(1);
    const owners = await text(await alice.b.fetch("/app/calendars/calendar/sharing"));
    expect(owners).toContain("Bob Example");
    expect(owners).toContain("Waiting for an answer");

    const page = await (await bob.b.fetch("/app/calendars")).text();
    const uid = /name="uid" value="([^"]+)"/.exec(page)?.[1];
    expect(uid, page).toBeDefined();
    expect((await bob.b.post("/app/shared/reply", { _csrf: bob.token, uid: uid!, answer: "accept" })).status).toBe(303);
    const listed = await text(await bob.b.fetch("/app/calendars"));
    expect(listed).toContain("shared by Alice Example");
    expect(listed).toContain("Read and write");
    expect(await notifications(bob.u), "the answered invitation is gone").toEqual([]);

    const changed = await alice.b.post("/app/calendars/calendar/sharing", { _csrf: alice.token, person: bob.u.user, access: "read" });
    expect(changed.headers.get("location")).toContain("done=changed");
    expect(await text(await bob.b.fetch("/app/calendars"))).toContain("Read only");

    expect((await alice.b.post("/app/calendars/calendar/sharing/remove", { _csrf: alice.token, person: bob.u.user })).status).toBe(303);
    expect(await invited(alice.u)).toEqual([]);
    expect(await text(await bob.b.fetch("/app/calendars"))).not.toContain("shared by Alice Example");
  });

  it("a sharee declines, or leaves an accepted calendar: the owner's calendar stays, CS:invite says declined", async () => {
    const alice = await signedIn("alice");
    const bob = await signedIn("bob");
    await alice.b.post("/app/calendars/calendar/sharing", { _csrf: alice.token, person: email(bob.u), access: "read" });
    const uid = /name="uid" value="([^"]+)"/.exec(await (await bob.b.fetch("/app/calendars")).text())![1]!;
    expect((await bob.b.post("/app/shared/reply", { _csrf: bob.token, uid, answer: "decline" })).status).toBe(303);
    expect(await text(await alice.b.fetch("/app/calendars/calendar/sharing"))).toContain("Declined");

    // A declined invitation stays declined (DAV's CS:set changes only the access): removing and sharing again asks again.
    await alice.b.post("/app/calendars/calendar/sharing/remove", { _csrf: alice.token, person: bob.u.user });
    await alice.b.post("/app/calendars/calendar/sharing", { _csrf: alice.token, person: bob.u.user, access: "read" });
    const again = /name="uid" value="([^"]+)"/.exec(await (await bob.b.fetch("/app/calendars")).text())![1]!;
    expect((await bob.b.post("/app/shared/reply", { _csrf: bob.token, uid: again, answer: "accept" })).status).toBe(303);
    const mount = /action="\/app\/shared\/([^"/]+)\/leave"/.exec(await (await bob.b.fetch("/app/calendars")).text())![1]!;
    expect((await bob.b.post(`/app/shared/${mount}/leave`, { _csrf: bob.token })).status).toBe(303);
    expect(await text(await bob.b.fetch("/app/calendars"))).toContain("No one shares a calendar with you");
    expect(propText(await propfindOne(alice.u, cal(alice.u), ["D:displayname"]), D("displayname"))).toBeTruthy();
    expect(await text(await alice.b.fetch("/app/calendars/calendar/sharing"))).toContain("Declined");
  });

  it("refuses an unknown address, oneself and a missing access with a notice (400), sharing with nobody", async () => {
    const alice = await signedIn("alice");
    for (const [fields, words] of [
      [{ person: "nobody-here@example.com", access: "read" }, "No one on this server"],
      [{ person: alice.u.user, access: "read" }, "That is you"],
      [{ person: email(alice.u), access: "read-write" }, "That is you"],
      [{ person: "", access: "read" }, "Enter the account name"],
      [{ person: "someone", access: "owner" }, "Choose read only or read and write"],
    ] as const) {
      const res = await alice.b.post("/app/calendars/calendar/sharing", { _csrf: alice.token, ...fields });
      expect(res.status, fields.person).toBe(400);
      const body = await text(res);
      expect(body).toContain('role="alert"');
      expect(body).toContain(words);
    }
    expect(await invited(alice.u)).toEqual([]);
  });

  it("shows the 200-sharee cap as a notice (409), not a 5xx", async () => {
    const alice = await signedIn("alice");
    const bob = await newUser("bob");
    const id = (await homeSql<{ id: number }>(alice.u.user, "SELECT id FROM collections WHERE name = 'calendar'"))[0]!.id;
    for (let i = 0; i < 200; i++)
      await homeSql(alice.u.user, "INSERT INTO shares (collection_id, sharee, access, status, uid, summary, created) VALUES (?, ?, 'read', 'pending', ?, '', 0)", id, `filler-${i}`, `u${i}`);
    const res = await alice.b.post("/app/calendars/calendar/sharing", { _csrf: alice.token, person: bob.user, access: "read" });
    expect(res.status).toBe(409);
    expect(await text(res)).toContain("at most 200 sharees");
    expect(await notifications(bob)).toEqual([]);
  });

  it("refuses a form without the CSRF token (403) and changes nothing", async () => {
    const alice = await signedIn("alice");
    const bob = await newUser("bob");
    expect((await alice.b.post("/app/calendars/calendar/sharing", { person: email(bob), access: "read" })).status).toBe(403);
    expect((await alice.b.post("/app/calendars/calendar/sharing", { _csrf: "forged", person: email(bob), access: "read" })).status).toBe(403);
    expect(await invited(alice.u)).toEqual([]);
    expect(await notifications(bob)).toEqual([]);
  });

  it("answers 4xx for what is not there: another's calendar, a sharee not invited, an invitation or shared calendar it does not have", async () => {
    const alice = await signedIn("alice");
    const bob = await signedIn("bob");
    expect((await bob.b.fetch(`/app/calendars/${encodeURIComponent(`../../${alice.u.user}/calendar`)}/sharing`)).status).toBe(404);
    expect((await alice.b.post("/app/calendars/nothing/sharing", { _csrf: alice.token, person: bob.u.user, access: "read" })).status).toBe(404);
    expect((await alice.b.post("/app/calendars/calendar/sharing/remove", { _csrf: alice.token, person: bob.u.user })).status).toBe(400);
    expect((await bob.b.post("/app/shared/reply", { _csrf: bob.token, uid: "made-up", answer: "accept" })).status).toBe(404);
    expect((await bob.b.post("/app/shared/reply", { _csrf: bob.token, uid: "made-up", answer: "maybe" })).status).toBe(400);
    expect((await bob.b.post("/app/shared/calendar/leave", { _csrf: bob.token })).status).toBe(404);
    expect(propText(await propfindOne(bob.u, cal(bob.u), ["D:displayname"]), D("displayname")), "its own calendar is not left").toBeTruthy();
  });
});
