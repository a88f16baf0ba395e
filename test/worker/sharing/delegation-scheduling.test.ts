// Scheduling as a delegate (RFC 6638 with RFC 5545 §3.2.18 SENT-BY): a
// write delegate answering an invitation in the boss's calendar makes the
// boss's REPLY go out from the boss's home, as the boss, with the delegate
// as SENT-BY on the boss's ATTENDEE; a meeting the delegate organizes in
// the boss's calendar as the boss carries SENT-BY on the ORGANIZER; one
// organized as the delegate itself is refused there (README "Delegation").
import { describe, expect, it, vi } from "vitest";
import { dav, errorConditions } from "../../helpers/dav-client.js";
import { CAL, D } from "../../helpers/caldav.js";
import { copyPath, getCopy, inboxFor, meeting, newUid, party, ps, sleep, unfold, waitCopy, withPartstat } from "../../helpers/scheduling.js";
import { office } from "../../helpers/delegation.js";

vi.setConfig({ testTimeout: 30_000 });

const sentBy = (who: { email: string }, prop: "ORGANIZER" | "ATTENDEE") =>
  new RegExp(`${prop};[^\\r\\n]*SENT-BY="?mailto:${who.email}"?[;:]`, "i");

describe("a write delegate answers an invitation for the boss", () => {
  it("the organizer's copy shows the boss's PARTSTAT, and the boss's REPLY carries the delegate as SENT-BY", async () => {
    const o = await office();
    const org = await party("org");
    const uid = newUid("deleg-answer");
    const invite = meeting({ uid, organizer: org, attendees: [{ who: o.boss }], start: "20261214T100000Z", end: "20261214T110000Z" });
    expect((await dav("PUT", `/calendars/${org.user}/calendar/m.ics`, { as: org, body: invite })).status).toBe(201);
    // The delegate finds the invitation in the boss's calendar and accepts it there, at the boss's URL.
    const copy = await waitCopy(o.writer, copyPath(o.boss, uid));
    expect(ps(copy.text, o.boss)).toBe("NEEDS-ACTION");
    const res = await dav("PUT", copyPath(o.boss, uid), { as: o.writer, body: withPartstat(copy.text, o.boss, "ACCEPTED"), headers: { "If-Match": copy.etag! } });
    expect(res.status, await res.clone().text()).toBe(204);

    const seen = await waitCopy(org, `/calendars/${org.user}/calendar/m.ics`, (c) => ps(c.text, o.boss) === "ACCEPTED", "the boss's answer at the organizer");
    expect(ps(seen.text, o.boss)).toBe("ACCEPTED");
    const reply = (await inboxFor(org, uid)).find((t) => /METHOD:REPLY/.test(t));
    expect(reply, "the REPLY reached the organizer's inbox").toBeDefined();
    expect(unfold(reply!)).toMatch(sentBy(o.writer, "ATTENDEE"));
    expect(unfold(reply!), "the answer is the boss's").toMatch(new RegExp(`ATTENDEE;[^\\r\\n]*:mailto:${o.boss.email}\\r\\n`, "i"));
    const own = await getCopy(o.boss, copyPath(o.boss, uid));
    expect(unfold(own.text)).toMatch(sentBy(o.writer, "ATTENDEE"));
    expect((await inboxFor(o.writer, uid)), "nothing reaches the delegate").toHaveLength(0);
  });

  it("a read delegate's answer is 403 DAV:need-privileges and nothing is sent", async () => {
    const o = await office();
    const org = await party("org");
    const uid = newUid("deleg-ro");
    const invite = meeting({ uid, organizer: org, attendees: [{ who: o.boss }], start: "20261215T100000Z", end: "20261215T110000Z" });
    expect((await dav("PUT", `/calendars/${org.user}/calendar/m.ics`, { as: org, body: invite })).status).toBe(201);
    const copy = await waitCopy(o.reader, copyPath(o.boss, uid));
    const res = await dav("PUT", copyPath(o.boss, uid), { as: o.reader, body: withPartstat(copy.text, o.boss, "ACCEPTED"), headers: { "If-Match": copy.etag! } });
    expect(res.status).toBe(403);
    expect(await errorConditions(res)).toEqual([D("need-privileges")]);
    await sleep(300);
    expect((await inboxFor(org, uid)).filter((t) => /METHOD:REPLY/.test(t))).toHaveLength(0);
  });
});

describe("a meeting the write delegate organizes in the boss's calendar", () => {
  it("as the boss: stored and sent with the delegate as SENT-BY on the ORGANIZER", async () => {
    const o = await office();
    const dave = await party("dave");
    const uid = newUid("deleg-org");
    const body = meeting({ uid, organizer: o.boss, attendees: [{ who: dave }], start: "20261216T100000Z", end: "20261216T110000Z" });
    const res = await dav("PUT", `${o.calendar}org.ics`, { as: o.writer, body });
    expect(res.status, await res.clone().text()).toBe(201);
    const own = await getCopy(o.boss, `${o.calendar}org.ics`);
    expect(unfold(own.text)).toMatch(sentBy(o.writer, "ORGANIZER"));
    const daveCopy = await waitCopy(dave, copyPath(dave, uid));
    expect(unfold(daveCopy.text)).toMatch(sentBy(o.writer, "ORGANIZER"));
  });

  it("as the delegate itself: refused (403 CALDAV:valid-organizer), nothing stored or sent", async () => {
    const o = await office();
    const dave = await party("dave");
    const uid = newUid("deleg-self");
    const body = meeting({ uid, organizer: o.writer, attendees: [{ who: dave }], start: "20261217T100000Z", end: "20261217T110000Z" });
    const res = await dav("PUT", `${o.calendar}self.ics`, { as: o.writer, body });
    expect(res.status).toBe(403);
    expect(await errorConditions(res)).toEqual([CAL("valid-organizer")]);
    expect((await getCopy(o.boss, `${o.calendar}self.ics`)).status).toBe(404);
    await sleep(300);
    expect(await inboxFor(dave, uid)).toHaveLength(0);
  });
});
