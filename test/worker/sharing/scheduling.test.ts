// Scheduling in a shared calendar (RFC 6638 with the CalendarServer sharing
// notes): a meeting a read-write sharee saves there is the owner's, scheduled
// once from the owner's home with its Schedule-Tag and the sharee as
// SENT-BY (RFC 5545 §3.2.18); each attendee gets one
// invitation; a sharee who is also an attendee answers in its own home; an
// ORGANIZER that is neither the owner's nor the sharee's own is refused
// (README "Sharing"; the sharee's own: sharee-organizer.test.ts).
import { describe, expect, it, vi } from "vitest";
import { dav, errorConditions, type Creds } from "../../helpers/dav-client.js";
import { CAL, proppatchBody } from "../../helpers/caldav.js";
import { copyName, copyPath, getCopy, inboxFor, meeting, newUid, party, ps, sleep, unfold, waitCopy, withPartstat, rowsWithUid, type Party } from "../../helpers/scheduling.js";
import { sharedFamily } from "../../helpers/sharing.js";

vi.setConfig({ testTimeout: 30_000 });

const asParty = (c: Creds): Party => ({ ...c, email: `${c.user}@example.com`, address: `mailto:${c.user}@example.com` });

describe("an invitation of the owner's in a shared calendar", () => {
  it("answered by the read-write sharee, the owner's REPLY goes out with the sharee as SENT-BY on the owner's ATTENDEE (RFC 5545 §3.2.18)", async () => {
    const f = await sharedFamily();
    const org = await party("org");
    const owner = asParty(f.owner);
    const rw = asParty(f.rw);
    // The owner's invitations land in the shared calendar (RFC 6638 §9.2).
    const inbox = `/calendars/${f.owner.user}/inbox/`;
    const set = await dav("PROPPATCH", inbox, { as: f.owner, body: proppatchBody(`<C:schedule-default-calendar-URL><D:href>${f.calendar}</D:href></C:schedule-default-calendar-URL>`) });
    expect(set.status).toBe(207);
    const uid = newUid("share-answer");
    const invite = meeting({ uid, organizer: org, attendees: [{ who: owner }], start: "20261215T100000Z", end: "20261215T110000Z" });
    expect((await dav("PUT", `/calendars/${org.user}/calendar/m.ics`, { as: org, body: invite })).status).toBe(201);
    const at = `${f.rwUrl}${copyName(uid)}`;
    const copy = await waitCopy(f.rw, at);
    const res = await dav("PUT", at, { as: f.rw, body: withPartstat(copy.text, owner, "ACCEPTED"), headers: { "If-Match": copy.etag! } });
    expect(res.status, await res.clone().text()).toBe(204);
    await waitCopy(org, `/calendars/${org.user}/calendar/m.ics`, (c) => ps(c.text, owner) === "ACCEPTED", "the owner's answer at the organizer");
    const reply = (await inboxFor(org, uid)).find((t) => /METHOD:REPLY/.test(t));
    expect(reply, "the REPLY reached the organizer's inbox").toBeDefined();
    expect(unfold(reply!)).toMatch(new RegExp(`ATTENDEE;[^\\r\\n]*SENT-BY="?mailto:${rw.email}"?[;:][^\\r\\n]*mailto:${owner.email}`, "i"));
  });
});

describe("a meeting in a shared calendar", () => {
  it("saved by the read-write sharee as the owner's, it is scheduled once from the owner's home: one invitation per attendee, the owner's Schedule-Tag", async () => {
    const f = await sharedFamily();
    const dave = await party("dave");
    const owner = asParty(f.owner);
    const ro = asParty(f.ro);
    const uid = newUid("shared-meet");
    const body = meeting({ uid, organizer: owner, attendees: [{ who: dave }, { who: ro }], start: "20261210T100000Z", end: "20261210T110000Z" });
    const res = await dav("PUT", `${f.rwUrl}meet.ics`, { as: f.rw, body });
    expect(res.status, await res.clone().text()).toBe(201);
    const tag = res.headers.get("schedule-tag");
    expect(tag).toMatch(/^".+"$/);

    const own = await getCopy(f.owner, `${f.calendar}meet.ics`);
    expect(own.status).toBe(200);
    expect(own.scheduleTag, "the Schedule-Tag is the owner's home's").toBe(tag);

    const daveCopy = await waitCopy(dave, copyPath(dave, uid));
    expect(ps(daveCopy.text, dave)).toBe("NEEDS-ACTION");
    // The owner's meeting, sent by the sharee (RFC 5545 §3.2.18): in the stored copy and in the invitation.
    expect(unfold(own.text)).toMatch(new RegExp(`ORGANIZER;[^\\r\\n]*SENT-BY="?mailto:${f.rw.user}@example.com"?[;:]`, "i"));
    expect(unfold(daveCopy.text)).toMatch(new RegExp(`ORGANIZER;[^\\r\\n]*SENT-BY="?mailto:${f.rw.user}@example.com"?[;:]`, "i"));
    expect(own.etag, "the PUT answered the ETag of what was stored").toBe(res.headers.get("etag"));
    // The read-only sharee is an attendee in its own right: its copy is in its own calendar, not the shared one.
    const roCopy = await waitCopy(f.ro, copyPath(f.ro, uid));
    expect(ps(roCopy.text, ro)).toBe("NEEDS-ACTION");
    await sleep(300);
    expect(await inboxFor(dave, uid), "one invitation, not one per member").toHaveLength(1);
    expect(await inboxFor(f.ro, uid)).toHaveLength(1);
    expect(await inboxFor(f.rw, uid), "the writing sharee is no attendee and gets nothing").toHaveLength(0);
    expect(await rowsWithUid(f.rw, uid), "nothing is stored in the writing sharee's home").toEqual([]);
  });

  it("an attendee's answer reaches the owner's copy, which every member sees", async () => {
    const f = await sharedFamily();
    const dave = await party("dave");
    const uid = newUid("shared-reply");
    const body = meeting({ uid, organizer: asParty(f.owner), attendees: [{ who: dave }], start: "20261211T100000Z", end: "20261211T110000Z" });
    expect((await dav("PUT", `${f.rwUrl}r.ics`, { as: f.rw, body })).status).toBe(201);
    const copy = await waitCopy(dave, copyPath(dave, uid));
    const accepted = copy.text.replace(/(ATTENDEE;[^\r\n]*?)PARTSTAT=NEEDS-ACTION([^\r\n]*:mailto:dave)/, "$1PARTSTAT=ACCEPTED$2");
    expect((await dav("PUT", copyPath(dave, uid), { as: dave, body: accepted, headers: { "If-Match": copy.etag! } })).status).toBe(204);
    const seen = await waitCopy(f.ro, `${f.roUrl}r.ics`, (c) => ps(c.text, dave) === "ACCEPTED", "the answer in the shared calendar");
    expect(ps(seen.text, dave)).toBe("ACCEPTED");
  });

  it("an ORGANIZER that is a third principal's address is refused (CALDAV:valid-organizer); nothing is stored or sent", async () => {
    const f = await sharedFamily();
    const dave = await party("dave");
    const uid = newUid("shared-self");
    const body = meeting({ uid, organizer: asParty(f.stranger), attendees: [{ who: dave }], start: "20261212T100000Z", end: "20261212T110000Z" });
    const res = await dav("PUT", `${f.rwUrl}self.ics`, { as: f.rw, body });
    expect(res.status).toBe(403);
    expect(await errorConditions(res)).toEqual([CAL("valid-organizer")]);
    expect((await getCopy(f.owner, `${f.calendar}self.ics`)).status).toBe(404);
    await sleep(300);
    expect(await inboxFor(dave, uid)).toHaveLength(0);
  });
});
