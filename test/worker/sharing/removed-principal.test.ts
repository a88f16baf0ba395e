// A principal removed from the server leaves no trace in others' homes: the
// owner's CS:invite stops naming a removed sharee (pending or accepted), a
// removed delegate leaves its proxy groups, a removed boss leaves its
// delegates' calendar-proxy-*-for, and a principal made again under a removed
// delegate's name inherits no access (README "Delegation").
import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, createUser, dav, hrefText, propfindBody, type Creds } from "../../helpers/dav-client.js";
import { CS, D, propfindOne } from "../../helpers/caldav.js";
import { office, principalHref, proxyGroup } from "../../helpers/delegation.js";
import { family, email, fill, postXml, sharedFamily } from "../../helpers/sharing.js";
import shareSet from "../../fixtures/sharing/share-set.xml?raw";

const remove = async (who: Creds) => {
  const res = await dav("DELETE", `/admin/api/users/${who.user}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
};

const inviteText = async (owner: Creds, calendar: string) => JSON.stringify((await propfindOne(owner, calendar, ["CS:invite"])).props.get(CS("invite"))?.element ?? null);

describe("a removed principal", () => {
  it("drops out of the owner's CS:invite, accepted or still pending", async () => {
    const f = await sharedFamily();
    expect(await inviteText(f.owner, f.calendar)).toContain(principalHref(f.rw));
    await remove(f.rw);
    const after = await inviteText(f.owner, f.calendar);
    expect(after).not.toContain(principalHref(f.rw));
    expect(after).toContain(principalHref(f.ro));

    const g = await family();
    expect((await postXml(g.owner, g.calendar, fill(shareSet, { READ_WRITE: email(g.rw), READ_ONLY: email(g.ro) }))).status).toBe(200);
    await remove(g.ro);
    expect(await inviteText(g.owner, g.calendar)).not.toContain(principalHref(g.ro));
  });

  it("leaves the boss's proxy groups, and one made again under its name has no access", async () => {
    const o = await office();
    await remove(o.writer);
    const group = await propfindOne(o.boss, proxyGroup(o.boss, "write"), ["D:group-member-set"]);
    expect(hrefText(group.props.get(D("group-member-set"))!.element)).toEqual([]);
    const again = await createUser(o.writer.user, { password: "another-password" });
    expect((await dav("PROPFIND", o.calendar, { as: again, headers: { Depth: "0" } })).status).toBe(404);
  });

  it("as a boss, leaves its delegates' calendar-proxy-*-for", async () => {
    const o = await office();
    await remove(o.boss);
    const body = propfindBody(["CS:calendar-proxy-write-for", "D:group-membership"]);
    const r = await dav("PROPFIND", principalHref(o.writer), { as: o.writer, headers: { Depth: "0" }, body });
    const text = await r.text();
    expect(r.status).toBe(207);
    expect(text).not.toContain(principalHref(o.boss));
  });
});
