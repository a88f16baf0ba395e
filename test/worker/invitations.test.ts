// The web page's invitations (issue 11 item 7; src/web/agenda/invitations.ts):
// what waits for the person's answer is read from their scheduling copies
// (RFC 6638 §3.2.2, §4.1), and Accept / Tentative / Decline store their copy
// through the PUT path with its implicit scheduling, so the REPLY reaches the
// organizer over the queue (RFC 6638 §3.2.2.3, §4.2) and Schedule-Tag and
// ETag rules hold (§3.2.10); a copy changed since the page showed it is not
// overwritten (If-Match, RFC 9110 §13.1.1).
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { answerInvitation, invitations } from "../../src/web/agenda/invitations.js";
import { agenda } from "../../src/web/agenda/agenda.js";
import { putOk } from "../helpers/caldav.js";
import {
  attendeeLine, cast, components, copyPath, eventually, futureUtc, getCopy, inboxFor, meeting, methodOf, newUid, overrideOf, partstatOf, principalOf, ps, ss,
  waitCopy, type Party,
} from "../helpers/scheduling.js";

vi.setConfig({ testTimeout: 30_000 });

/** The organizer's path for a meeting. */
const orgPath = (p: Party, tag: string) => `/calendars/${p.user}/calendar/${tag}.ics`;

async function invite(organizer: Party, attendees: Party[], tag: string, extra: string[] = [], overrides: string[][] = []) {
  const uid = newUid(tag);
  const start = futureUtc(5, 14);
  const end = futureUtc(5, 15);
  const path = orgPath(organizer, tag);
  await putOk(organizer, path, meeting({ uid, organizer, attendees: attendees.map((who) => ({ who })), start, end, summary: `Meeting ${tag}`, extra, overrides }));
  for (const who of attendees) await waitCopy(who, copyPath(who, uid), undefined, `${who.user}'s copy`);
  return { uid, path, start };
}

describe("pending invitations (RFC 6638 §3.2.2)", () => {
  it("lists an invitation in the attendee's copy, not in the organizer's; answering removes it from the list", async () => {
    const { org, att } = await cast("org", "att");
    const { uid, start } = await invite(org, [att], "listed");
    const me = await principalOf(att);
    const list = await invitations(env, me, "Europe/Berlin");
    expect(list).toHaveLength(1);
    const inv = list[0]!;
    expect(inv).toMatchObject({
      uid, summary: "Meeting listed", collection: "calendar", recurring: false, allDay: false, pending: { rids: [""] },
      organizer: { address: org.email, name: org.user }, href: copyPath(att, uid),
    });
    expect(inv.etag).toBe((await getCopy(att, copyPath(att, uid))).etag!.replaceAll('"', ""));
    expect(new Date(inv.start!).toISOString().replace(/[-:]|\.000/g, "")).toBe(start);
    expect(await invitations(env, await principalOf(org), "UTC"), "the organizer has nothing to answer").toEqual([]);

    await answerInvitation(env, me, { collection: inv.collection, name: inv.name, etag: inv.etag, answer: "accept" });
    expect(await invitations(env, me, "Europe/Berlin")).toEqual([]);
    // The inbox keeps the REQUEST (the person's clients remove what they processed).
    expect((await inboxFor(att, uid)).map(methodOf)).toEqual(["REQUEST"]);
  });

  it("Accept, Tentative and Decline reach the organizer's copy as a client's PUT does; her Schedule-Tag stays (§3.2.10)", async () => {
    const { org, a, b, c } = await cast("org", "a", "b", "c");
    const { path } = await invite(org, [a, b, c], "answers");
    const before = await eventually(() => getCopy(org, path), (x) => [a, b, c].every((w) => ss(x.text, w) === "1.2"), "delivered");
    const answers: Array<[Party, "accept" | "tentative" | "decline", string]> = [[a, "accept", "ACCEPTED"], [b, "tentative", "TENTATIVE"], [c, "decline", "DECLINED"]];
    for (const [who, answer, partstat] of answers) {
      const me = await principalOf(who);
      const [inv] = await invitations(env, me, "UTC");
      const { etag } = await answerInvitation(env, me, { collection: inv!.collection, name: inv!.name, etag: inv!.etag, answer });
      const mine = await getCopy(who, inv!.href);
      expect(mine.etag, "the answer's ETag is the stored copy's").toBe(`"${etag}"`);
      expect(ps(mine.text, who)).toBe(partstat);
      const after = await eventually(() => getCopy(org, path), (x) => ps(x.text, who) === partstat, `${who.user} ${partstat} on the organizer's copy`);
      expect(ss(after.text, who), "SCHEDULE-STATUS from the REPLY (§4.2)").toBe("2.0");
      expect(after.scheduleTag, "merging a REPLY keeps the organizer's Schedule-Tag").toBe(before.scheduleTag);
      expect((await inboxFor(org, inv!.uid)).filter((t) => methodOf(t) === "REPLY").length).toBeGreaterThan(0);
    }
    const final = (await getCopy(org, path)).text;
    expect([ps(final, a), ps(final, b), ps(final, c)]).toEqual(["ACCEPTED", "TENTATIVE", "DECLINED"]);
  });

  it("refuses an answer to a copy that changed since it was shown (412) and changes nothing", async () => {
    const { org, att } = await cast("org", "att");
    const { uid, path } = await invite(org, [att], "stale");
    const me = await principalOf(att);
    const [shown] = await invitations(env, me, "UTC");
    // The organizer reschedules meanwhile: the attendee's copy is replaced.
    const moved = meeting({ uid, organizer: org, attendees: [{ who: att }], start: futureUtc(6, 9), end: futureUtc(6, 10), summary: "Meeting moved", sequence: 1 });
    await putOk(org, path, moved);
    await waitCopy(att, copyPath(att, uid), (x) => x.text.includes("Meeting moved"), "the rescheduled copy");
    await expect(answerInvitation(env, me, { collection: shown!.collection, name: shown!.name, etag: shown!.etag, answer: "accept" })).rejects.toMatchObject({ status: 412 });
    expect(ps((await getCopy(att, copyPath(att, uid))).text, att)).toBe("NEEDS-ACTION");
    const [again] = await invitations(env, me, "UTC");
    expect(again!.summary).toBe("Meeting moved");
    expect(again!.etag).not.toBe(shown!.etag);
    // A name that is none of the person's, and the organizer answering her own meeting, are refused.
    await expect(answerInvitation(env, me, { collection: "calendar", name: "nothing.ics", etag: "x", answer: "accept" })).rejects.toMatchObject({ status: 404 });
    const orgCopy = await getCopy(org, path);
    await expect(answerInvitation(env, await principalOf(org), {
      collection: "calendar", name: path.split("/").pop()!, etag: orgCopy.etag!.replaceAll('"', ""), answer: "decline",
    })).rejects.toMatchObject({ status: 403 });
  });

  it("answers a recurring invitation for the whole series, its moved instance included; the agenda shows the answer", async () => {
    const { org, att } = await cast("org", "att");
    const uid = newUid("series");
    const path = orgPath(org, "series");
    const [start, end, rid, moved, movedEnd] = [futureUtc(3, 9), futureUtc(3, 10), futureUtc(10, 9), futureUtc(10, 11), futureUtc(10, 12)];
    const people = [`ORGANIZER;CN=${org.user}:${org.address}`, `ATTENDEE;CN=${org.user};PARTSTAT=ACCEPTED;ROLE=CHAIR:${org.address}`, attendeeLine({ who: att })];
    await putOk(org, path, meeting({
      uid, organizer: org, attendees: [{ who: att }], start, end, summary: "Weekly", extra: ["RRULE:FREQ=WEEKLY;COUNT=4"],
      overrides: [[`UID:${uid}`, "DTSTAMP:20261101T000000Z", "SEQUENCE:0", `RECURRENCE-ID:${rid}`, `DTSTART:${moved}`, `DTEND:${movedEnd}`, "SUMMARY:Weekly (moved)", ...people]],
    }));
    await waitCopy(att, copyPath(att, uid), (x) => components(x.text).length === 2, "the copy with its override");
    const me = await principalOf(att);
    const [inv] = await invitations(env, me, "UTC");
    expect(inv).toMatchObject({ uid, recurring: true, pending: { rids: ["", rid] } });
    await answerInvitation(env, me, { collection: inv!.collection, name: inv!.name, etag: inv!.etag, answer: "accept" });
    const after = await eventually(
      () => getCopy(org, path),
      (x) => ps(x.text, att) === "ACCEPTED" && partstatOf(overrideOf(x.text, rid), att) === "ACCEPTED",
      "the series and its moved instance accepted on the organizer's copy",
    );
    expect(ss(after.text, att)).toBe("2.0");
    expect(await invitations(env, me, "UTC")).toEqual([]);
    const a = await agenda(env, me, { days: 28, zone: "UTC" });
    const mine = a.days.flatMap((d) => d.items).filter((i) => i.uid === uid);
    expect(mine.map((i) => i.summary)).toEqual(["Weekly", "Weekly (moved)", "Weekly", "Weekly"]);
    expect(mine[1]!.startLocal.slice(11)).toBe("11:00");
    expect(mine.every((i) => i.partstat === "ACCEPTED")).toBe(true);
  });
});
