// A meeting's PUT promises each recipient's SCHEDULE-STATUS (RFC 6638
// §3.2.9) from who holds its address: the Directory's answer is kept per
// isolate for a minute (src/directory/holders.ts), so a warm isolate's
// meeting PUT makes no Directory call. An account change in this isolate
// forgets it at once; a change elsewhere is corrected by the delivery,
// which asks the Directory again and reports the status that differs.
import { afterEach, describe, expect, it, vi } from "vitest";
import { env } from "cloudflare:workers";
import { Directory } from "../../../src/directory/directory.js";
import { putOk } from "../../helpers/caldav.js";
import { createUser } from "../../helpers/dav-client.js";
import { cast, eventually, getCopy, meeting, newUid, ss } from "../../helpers/scheduling.js";

vi.setConfig({ testTimeout: 30_000 });

let holdersCalls = 0;
const original = Directory.prototype.holders;
Directory.prototype.holders = function (this: Directory, addresses: string[]) {
  holdersCalls++;
  return original.call(this, addresses);
};
afterEach(() => {
  holdersCalls = 0;
});

describe("who holds an address, as a meeting's PUT promises statuses (RFC 6638 §3.2.9)", () => {
  it("a second meeting with the same attendees asks the Directory nothing; the promises are the same", async () => {
    const { alice, bob } = await cast("alice", "bob");
    const guest = `mailto:guest-${newUid("h").split("@")[0]}@example.invalid`;
    const put = async (tag: string) => {
      const path = `/calendars/${alice.user}/calendar/${tag}.ics`;
      await putOk(alice, path, meeting({ uid: newUid(tag), organizer: alice, attendees: [{ who: bob }, { who: guest }], start: "20270501T100000Z", end: "20270501T110000Z" }));
      return (await getCopy(alice, path)).text;
    };
    const first = await put("h1");
    expect(holdersCalls).toBe(1);
    expect([ss(first, bob), ss(first, guest)]).toEqual(["1.2", "3.7"]);
    const second = await put("h2");
    expect(holdersCalls, "answered from the isolate's memory").toBe(1);
    expect([ss(second, bob), ss(second, guest)]).toEqual(["1.2", "3.7"]);
  });

  it("an account made in this isolate is known to the next PUT at once", async () => {
    const { alice } = await cast("alice");
    const user = `later-${newUid("l").split("@")[0]}`.toLowerCase();
    const address = `mailto:${user}@example.com`;
    const path = (t: string) => `/calendars/${alice.user}/calendar/${t}.ics`;
    await putOk(alice, path("l1"), meeting({ uid: newUid("l1"), organizer: alice, attendees: [{ who: address }], start: "20270502T100000Z", end: "20270502T110000Z" }));
    expect(ss((await getCopy(alice, path("l1"))).text, address)).toBe("3.7");
    await createUser(user, { emails: [`${user}@example.com`] });
    await putOk(alice, path("l2"), meeting({ uid: newUid("l2"), organizer: alice, attendees: [{ who: address }], start: "20270502T100000Z", end: "20270502T110000Z" }));
    expect(ss((await getCopy(alice, path("l2"))).text, address), "the admin API's change dropped the kept answer").toBe("1.2");
  });

  it("a holder that changed elsewhere (not through this isolate) is corrected by the delivery's report", async () => {
    const { alice } = await cast("alice");
    const user = `elsewhere-${newUid("e").split("@")[0]}`.toLowerCase();
    const address = `mailto:${user}@example.com`;
    const path = (t: string) => `/calendars/${alice.user}/calendar/${t}.ics`;
    await putOk(alice, path("e1"), meeting({ uid: newUid("e1"), organizer: alice, attendees: [{ who: address }], start: "20270503T100000Z", end: "20270503T110000Z" }));
    // Another isolate's admin made the account: straight into the Directory, so this isolate's answer is stale.
    const made = await env.DIRECTORY.getByName("main").upsertPrincipal({ id: user, addresses: [address] });
    expect(made.ok).toBe(true);
    await putOk(alice, path("e2"), meeting({ uid: newUid("e2"), organizer: alice, attendees: [{ who: address }], start: "20270503T100000Z", end: "20270503T110000Z" }));
    expect(ss((await getCopy(alice, path("e2"))).text, address), "promised from the kept answer").toBe("3.7");
    await eventually(async () => ss((await getCopy(alice, path("e2"))).text, address), (s) => s === "1.2", "the delivery reported 1.2");
  });
});
