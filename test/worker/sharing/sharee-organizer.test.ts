// A read-write sharee organizing a meeting as itself in a shared calendar
// (issue 13 item 2; RFC 6638 with the CalendarServer sharing notes; README
// "Sharing"). The copy is the owner's (the owner's home, ETags and sync
// token); it is scheduled once from the owner's home with the sharee as its
// sender; the attendees' replies, addressed to the sharee, reach that copy
// only while the sharee may write the calendar. Three principals: owner
// Alice ("owner"), read-write sharee Bob ("rw"), read-only sharee Ruth ("ro").
import { describe, expect, it, vi } from "vitest";
import { dav, errorConditions, type Creds } from "../../helpers/dav-client.js";
import { CAL, D, homeSql, propfindOne, propText } from "../../helpers/caldav.js";
import {
  copyPath, eventually, getCopy, inboxFor, masterOf, meeting, methodOf, newUid, organizerStatusOf, party, ps, replaceInFirst, rowsWithUid, sequenceOf, sleep, ss,
  unfold, waitCopy, withPartstat, type Party,
} from "../../helpers/scheduling.js";
import { makeReadOnly, sharedFamily, unshare } from "../../helpers/sharing.js";

vi.setConfig({ testTimeout: 30_000 });

const asParty = (c: Creds): Party => ({ ...c, email: `${c.user}@example.com`, address: `mailto:${c.user}@example.com` });
const syncToken = async (who: Creds, url: string) => propText(await propfindOne(who, url, ["D:sync-token"]), D("sync-token"));
const organizerOf = (text: string) => String(masterOf(text)?.getFirstPropertyValue("organizer") ?? "").toLowerCase();
const sentBy = (text: string) => masterOf(text)?.getFirstProperty("organizer")?.getParameter("sent-by");

/** The family calendar shared with Bob (read-write) and Ruth (read-only), and Bob's meeting in it with Carol and Dave. */
async function bobsMeeting(extra: { attendees?: Party[]; outside?: string } = {}) {
  const f = await sharedFamily();
  const [carol, dave] = await Promise.all([party("carol"), party("dave")]);
  const bob = asParty(f.rw);
  const uid = newUid("sharee-org");
  const attendees = [carol, dave, ...(extra.attendees ?? [])].map((who) => ({ who })) as Array<{ who: Party | string }>;
  if (extra.outside) attendees.push({ who: extra.outside });
  const body = meeting({ uid, organizer: bob, attendees, start: "20261214T100000Z", end: "20261214T110000Z" });
  const before = await syncToken(f.owner, f.calendar);
  const res = await dav("PUT", `${f.rwUrl}m.ics`, { as: f.rw, body });
  expect(res.status, await res.clone().text()).toBe(201);
  return { f, bob, carol, dave, uid, before, res, owned: `${f.calendar}m.ics`, bobs: `${f.rwUrl}m.ics` };
}

/** Carol answers in her own copy; returns it as she stored it. */
async function carolAnswers(m: Awaited<ReturnType<typeof bobsMeeting>>, partstat = "ACCEPTED") {
  const copy = await waitCopy(m.carol, copyPath(m.carol, m.uid));
  const res = await dav("PUT", copyPath(m.carol, m.uid), { as: m.carol, body: withPartstat(copy.text, m.carol, partstat), headers: { "If-Match": copy.etag! } });
  expect(res.status, await res.clone().text()).toBe(204);
}

describe("a meeting a read-write sharee organizes as itself in a shared calendar", () => {
  it("is stored in the owner's calendar and scheduled once from the owner's home: each attendee one invitation with ORGANIZER the sharee, none to the sharee", async () => {
    const outside = `mailto:guest-${crypto.randomUUID().slice(0, 8)}@elsewhere.example`;
    const m = await bobsMeeting({ outside });
    const own = await getCopy(m.f.owner, m.owned);
    expect(own.status).toBe(200);
    expect(own.etag, "the PUT answered the owner's copy's ETag").toBe(m.res.headers.get("etag"));
    expect(own.scheduleTag, "the Schedule-Tag is the owner's home's").toBe(m.res.headers.get("schedule-tag"));
    expect(organizerOf(own.text)).toBe(m.bob.address);
    expect(sentBy(own.text), "the sharee organizes as itself: no SENT-BY").toBeUndefined();
    expect(await syncToken(m.f.owner, m.f.calendar), "the owner's sync token moved").not.toBe(m.before);
    // The sharee's own ATTENDEE line (as its client wrote it) stays its own.
    expect(ps(own.text, m.bob)).toBe("ACCEPTED");

    for (const who of [m.carol, m.dave]) {
      const copy = await waitCopy(who, copyPath(who, m.uid));
      expect(organizerOf(copy.text)).toBe(m.bob.address);
      expect(ps(copy.text, who)).toBe("NEEDS-ACTION");
    }
    await eventually(() => getCopy(m.f.owner, m.owned), (c) => ss(c.text, m.carol) === "1.2" && ss(c.text, outside) === "3.7", "statuses on the owner's copy");
    await sleep(300);
    expect(await inboxFor(m.carol, m.uid), "one invitation, not one per member").toHaveLength(1);
    expect(await inboxFor(m.dave, m.uid)).toHaveLength(1);
    expect(await inboxFor(m.f.rw, m.uid), "the organizing sharee gets nothing").toHaveLength(0);
    expect(await rowsWithUid(m.f.rw, m.uid), "nothing is stored in the sharee's home").toEqual([]);
    expect(await inboxFor(m.f.ro, m.uid), "another member is no attendee and gets nothing").toHaveLength(0);
    // The outside attendee's message is kept once, for e-mail, by the home that holds the copy.
    const kept = await homeSql<{ payload: string }>(m.f.owner.user, "SELECT payload FROM email_outbox");
    expect(kept.filter((k) => k.payload.includes(m.uid))).toHaveLength(1);
  });

  it("an attendee's REPLY, addressed to the sharee, is merged into the copy in the owner's calendar, which every member sees, and kept in the sharee's inbox; the others hear of it (RFC 6638 §4.2)", async () => {
    const m = await bobsMeeting();
    const token = await syncToken(m.f.owner, m.f.calendar);
    await carolAnswers(m);
    const merged = await waitCopy(m.f.rw, m.bobs, (c) => ps(c.text, m.carol) === "ACCEPTED", "Carol's answer, seen by the sharee");
    expect(ss(merged.text, m.carol), "SCHEDULE-STATUS of a received reply").toBe("2.0");
    expect(ps(merged.text, m.bob), "the sharee's own PARTSTAT is untouched").toBe("ACCEPTED");
    expect(ps(merged.text, m.dave)).toBe("NEEDS-ACTION");
    expect(ps((await getCopy(m.f.ro, `${m.f.roUrl}m.ics`)).text, m.carol), "the read-only member sees it too").toBe("ACCEPTED");
    expect(await syncToken(m.f.owner, m.f.calendar), "the owner's sync token moved").not.toBe(token);
    // Carol's copy learns nothing went wrong; Dave's copy is told who is coming, by the sharee's authority.
    await sleep(300);
    expect(organizerStatusOf(masterOf((await getCopy(m.carol, copyPath(m.carol, m.uid))).text))).toBe("1.2");
    await waitCopy(m.dave, copyPath(m.dave, m.uid), (c) => ps(c.text, m.carol) === "ACCEPTED", "the refresh at Dave's", 15_000);
    expect(await inboxFor(m.f.owner, m.uid), "the reply is the sharee's: not kept in the owner's inbox").toHaveLength(0);
    const kept = await inboxFor(m.f.rw, m.uid);
    expect(kept.map(methodOf), "but in the organizing sharee's (RFC 6638 §4)").toEqual(["REPLY"]);
  });

  it("rescheduled by the sharee: new REQUESTs with a higher SEQUENCE; deleted by the sharee: CANCELs, both from the owner's home", async () => {
    const m = await bobsMeeting();
    await waitCopy(m.carol, copyPath(m.carol, m.uid));
    const mine = await getCopy(m.f.rw, m.bobs);
    const moved = replaceInFirst(replaceInFirst(mine.text, "DTSTART", "DTSTART:20261214T140000Z"), "DTEND", "DTEND:20261214T150000Z");
    const res = await dav("PUT", m.bobs, { as: m.f.rw, body: moved, headers: { "If-Match": mine.etag! } });
    expect(res.status, await res.clone().text()).toBe(204);
    const carolCopy = await waitCopy(m.carol, copyPath(m.carol, m.uid), (c) => /DTSTART:20261214T140000Z/.test(unfold(c.text)), "the new time at Carol's");
    expect(sequenceOf(masterOf(carolCopy.text))).toBeGreaterThan(0);
    expect(await inboxFor(m.dave, m.uid).then((l) => l.length)).toBeGreaterThanOrEqual(1);

    const del = await dav("DELETE", m.bobs, { as: m.f.rw });
    expect(del.status).toBe(204);
    expect((await getCopy(m.f.owner, m.owned)).status).toBe(404);
    const inbox = await eventually(() => inboxFor(m.carol, m.uid), (l) => l.some((t) => methodOf(t) === "CANCEL"), "the CANCEL at Carol's");
    expect(inbox.filter((t) => methodOf(t) === "CANCEL")).toHaveLength(1);
    await eventually(() => inboxFor(m.dave, m.uid), (l) => l.some((t) => methodOf(t) === "CANCEL"), "the CANCEL at Dave's");
    expect(await inboxFor(m.f.rw, m.uid)).toHaveLength(0);
  });

  it("the owner as an attendee keeps the one copy in the shared calendar (no invitation of its own) and answers there; the answer is merged and the other attendees hear of it", async () => {
    const f0 = await bobsMeeting({ attendees: [] });
    // A second meeting of Bob's in the same calendar, with Alice invited.
    const alice = asParty(f0.f.owner);
    const uid = newUid("sharee-org-owner");
    const body = meeting({ uid, organizer: f0.bob, attendees: [{ who: alice }, { who: f0.carol }], start: "20261215T100000Z", end: "20261215T110000Z" });
    expect((await dav("PUT", `${f0.f.rwUrl}a.ics`, { as: f0.f.rw, body })).status).toBe(201);
    await waitCopy(f0.carol, copyPath(f0.carol, uid));
    await sleep(300);
    expect(await rowsWithUid(f0.f.owner, uid), "one copy in the owner's home").toEqual([{ collection: "family", name: "a.ics" }]);
    expect(await inboxFor(f0.f.owner, uid), "no invitation to the owner: its calendar holds the meeting").toHaveLength(0);
    const copy = await getCopy(f0.f.owner, `${f0.f.calendar}a.ics`);
    expect(ps(copy.text, alice)).toBe("NEEDS-ACTION");
    const res = await dav("PUT", `${f0.f.calendar}a.ics`, { as: f0.f.owner, body: withPartstat(copy.text, alice, "ACCEPTED"), headers: { "If-Match": copy.etag! } });
    expect(res.status, await res.clone().text()).toBe(204);
    const seen = await waitCopy(f0.f.rw, `${f0.f.rwUrl}a.ics`, (c) => ss(c.text, alice) === "2.0", "the owner's answer merged");
    expect(ps(seen.text, alice)).toBe("ACCEPTED");
    expect(ps(seen.text, f0.bob), "the organizer's PARTSTAT stays its own").toBe("ACCEPTED");
    expect(await rowsWithUid(f0.f.owner, uid)).toHaveLength(1);
    expect(await inboxFor(f0.f.owner, uid)).toHaveLength(0);
    // The other attendees hear of the owner's answer (RFC 6638 §4.2), though the copy already showed it.
    await waitCopy(f0.carol, copyPath(f0.carol, uid), (c) => ps(c.text, alice) === "ACCEPTED", "the refresh at Carol's", 15_000);
  });

  it("the owner's own change to the sharee's meeting, and its DELETE, are done without scheduling: only who holds the ORGANIZER schedules it", async () => {
    const m = await bobsMeeting();
    await waitCopy(m.carol, copyPath(m.carol, m.uid));
    const copy = await getCopy(m.f.owner, m.owned);
    const moved = replaceInFirst(copy.text, "SUMMARY", "SUMMARY:Moved by the owner");
    const res = await dav("PUT", m.owned, { as: m.f.owner, body: moved, headers: { "If-Match": copy.etag! } });
    expect(res.status, await res.clone().text()).toBe(204);
    await sleep(500);
    expect(await inboxFor(m.carol, m.uid)).toHaveLength(1);
    expect((await getCopy(m.carol, copyPath(m.carol, m.uid))).text).not.toMatch(/Moved by the owner/);
    expect((await dav("DELETE", m.owned, { as: m.f.owner })).status).toBe(204);
    await sleep(500);
    expect((await inboxFor(m.carol, m.uid)).map(methodOf), "the owner's DELETE sends no CANCEL").toEqual(["REQUEST"]);
  });
});

describe("when the sharee may no longer write the calendar", () => {
  it("unshared: a reply is not merged (the attendee's copy says 3.8), and the sharee cannot organize there", async () => {
    const m = await bobsMeeting();
    await waitCopy(m.carol, copyPath(m.carol, m.uid));
    expect((await unshare(m.f, m.f.rw)).status).toBe(200);
    const etag = (await getCopy(m.f.owner, m.owned)).etag;
    await carolAnswers(m);
    await waitCopy(m.carol, copyPath(m.carol, m.uid), (c) => organizerStatusOf(masterOf(c.text)) === "3.8", "3.8 at Carol's");
    const own = await getCopy(m.f.owner, m.owned);
    expect(ps(own.text, m.carol)).toBe("NEEDS-ACTION");
    expect(own.etag, "the owner's copy is unchanged").toBe(etag);
    expect(await inboxFor(m.f.rw, m.uid), "nor kept in the former sharee's inbox").toHaveLength(0);
    const again = meeting({ uid: newUid("sharee-org-gone"), organizer: m.bob, attendees: [{ who: m.dave }], start: "20261216T100000Z", end: "20261216T110000Z" });
    const res = await dav("PUT", `${m.bobs.replace(/m\.ics$/, "n.ics")}`, { as: m.f.rw, body: again });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect((await getCopy(m.f.owner, `${m.f.calendar}n.ics`)).status).toBe(404);
  });

  it("made read-only: a reply is not merged, and the sharee's PUT with its own ORGANIZER is 403 DAV:need-privileges", async () => {
    const m = await bobsMeeting();
    await waitCopy(m.carol, copyPath(m.carol, m.uid));
    expect((await makeReadOnly(m.f, m.f.rw)).status).toBe(200);
    await carolAnswers(m, "DECLINED");
    await waitCopy(m.carol, copyPath(m.carol, m.uid), (c) => organizerStatusOf(masterOf(c.text)) === "3.8", "3.8 at Carol's");
    expect(ps((await getCopy(m.f.owner, m.owned)).text, m.carol)).toBe("NEEDS-ACTION");
    expect(await inboxFor(m.f.rw, m.uid)).toHaveLength(0);
    const again = meeting({ uid: newUid("sharee-org-ro"), organizer: m.bob, attendees: [{ who: m.dave }], start: "20261216T100000Z", end: "20261216T110000Z" });
    const res = await dav("PUT", `${m.f.rwUrl}n.ics`, { as: m.f.rw, body: again });
    expect(res.status).toBe(403);
    expect(await errorConditions(res)).toEqual([D("need-privileges")]);
  });
});

describe("which ORGANIZER a sharee may write in a shared calendar", () => {
  it("another principal's address, or one nobody holds, is 403 CALDAV:valid-organizer; a read-only sharee cannot write at all", async () => {
    const f = await sharedFamily();
    const [carol, dave] = await Promise.all([party("carol"), party("dave")]);
    for (const organizer of [carol, { ...carol, address: "mailto:nobody-here@elsewhere.example" }]) {
      const uid = newUid("sharee-org-other");
      const body = meeting({ uid, organizer, attendees: [{ who: dave }], start: "20261217T100000Z", end: "20261217T110000Z" });
      const res = await dav("PUT", `${f.rwUrl}o.ics`, { as: f.rw, body });
      expect(res.status, organizer.address).toBe(403);
      expect(await errorConditions(res)).toEqual([CAL("valid-organizer")]);
      expect((await getCopy(f.owner, `${f.calendar}o.ics`)).status).toBe(404);
      await sleep(200);
      expect(await inboxFor(dave, uid)).toHaveLength(0);
    }
    const ruth = asParty(f.ro);
    const uid = newUid("sharee-org-ro");
    const res = await dav("PUT", `${f.roUrl}r.ics`, { as: f.ro, body: meeting({ uid, organizer: ruth, attendees: [{ who: dave }], start: "20261217T100000Z", end: "20261217T110000Z" }) });
    expect(res.status).toBe(403);
    expect(await errorConditions(res)).toEqual([D("need-privileges")]);
    await sleep(200);
    expect(await inboxFor(dave, uid)).toHaveLength(0);
  });
});
