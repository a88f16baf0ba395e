// Delivery faults (RFC 6638 §3.2, §4; RFC 5546 §2.1.5 ordering): the queue
// delivers at least once and in any order, recipients fail, the Queue is
// down at commit time. None of it may duplicate or lose an event, and every
// copy ends consistent.
import { describe, expect, it, vi } from "vitest";
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import type { ItipJob } from "../../../src/core/itip-job.js";
import type { CalendarHome } from "../../../src/home/calendar-home.js";
import { dav } from "../../helpers/dav-client.js";
import { homeStub, putOk } from "../../helpers/caldav.js";
import { countDeliveries, failDeliveries, failingQueue, outboxJobs, recordingQueue, withHomeQueue } from "../../helpers/faults.js";
import {
  cast, copyPath, eventually, getCopy, inboxFor, masterOf, meeting, newUid, nextSecond, principalOf, propText, ps, replaceInFirst, rowsWithUid,
  sequenceOf, sleep, ss, waitCopy, withPartstat, type Party,
} from "../../helpers/scheduling.js";

vi.setConfig({ testTimeout: 30_000 });

const bodyOf = (j: ItipJob) => {
  if (j.body === undefined) throw new Error(`job ${j.id} has no inline body`);
  return j.body;
};

/** Delivers a job straight to the recipient's home, as the consumer does (with the sending principal from the directory). */
async function deliverTo(who: Party, job: ItipJob): Promise<string> {
  const sender = await env.DIRECTORY.getByName("main").getPrincipal(job.fromHome);
  if (!sender) throw new Error(`no principal ${job.fromHome}`);
  const { status } = await homeStub(who.user).deliver(job, bodyOf(job), await principalOf(who), sender);
  return status;
}

async function invite(alice: Party, attendees: Party[], tag: string, start = "20270104T100000Z", end = "20270104T110000Z") {
  const uid = newUid(tag);
  const path = `/calendars/${alice.user}/calendar/${tag}.ics`;
  const body = meeting({ uid, organizer: alice, attendees: attendees.map((who) => ({ who })), start, end });
  return { uid, path, body };
}

describe("at-least-once delivery (RFC 6638 §4)", () => {
  it("the same message delivered twice to the recipient's home changes nothing the second time", async () => {
    const { alice, bob } = await cast("alice", "bob");
    const { uid, path, body } = await invite(alice, [bob], "dup");
    const jobs: ItipJob[] = [];
    await withHomeQueue(alice.user, recordingQueue(jobs), () => putOk(alice, path, body));
    const job = jobs.find((j) => j.recipient.toLowerCase() === bob.address.toLowerCase())!;
    expect(job, "the invitation for bob was handed to the queue").toBeDefined();
    expect((await getCopy(bob, copyPath(bob, uid))).status).toBe(404);

    expect(await deliverTo(bob, job)).toBe("1.2");
    const first = await getCopy(bob, copyPath(bob, uid));
    expect(first.status).toBe(200);
    expect(ps(first.text, bob)).toBe("NEEDS-ACTION");

    expect(await deliverTo(bob, job), "a duplicate is acknowledged as delivered").toBe("1.2");
    const second = await getCopy(bob, copyPath(bob, uid));
    expect(second.etag, "the copy is not rewritten").toBe(first.etag);
    expect(second.scheduleTag).toBe(first.scheduleTag);
    expect(await rowsWithUid(bob, uid)).toHaveLength(1);
    expect(await inboxFor(bob, uid), "one inbox item").toHaveLength(1);
  });

  it("a job re-sent to the queue after delivery changes nothing (copy, inbox and the organizer's copy)", async () => {
    const { alice, bob } = await cast("alice", "bob");
    const { uid, path, body } = await invite(alice, [bob], "resend");
    const jobs: ItipJob[] = [];
    // Forward to the real queue and keep a copy of what was sent.
    await withHomeQueue(alice.user, (real) => ({
      send: (b: ItipJob) => real.send(b),
      sendBatch: async (msgs: Iterable<MessageSendRequest<ItipJob>>) => {
        const list = [...msgs];
        jobs.push(...list.map((m) => m.body));
        await real.sendBatch(list);
      },
    }) as never, () => putOk(alice, path, body));
    const copy = await waitCopy(bob, copyPath(bob, uid));
    const organizer = await eventually(() => getCopy(alice, path), (c) => ss(c.text, bob) === "1.2", "delivered");
    const job = jobs.find((j) => j.recipient.toLowerCase() === bob.address.toLowerCase())!;

    const count = countDeliveries(bob.user);
    try {
      await env.ITIP_QUEUE.send(job, { contentType: "json" });
      await eventually(async () => count.calls, (n) => n >= 1, "the duplicate reached bob's home");
      await sleep(300);
    } finally {
      count.restore();
    }
    const after = await getCopy(bob, copyPath(bob, uid));
    expect(after.etag).toBe(copy.etag);
    expect(await rowsWithUid(bob, uid)).toHaveLength(1);
    expect(await inboxFor(bob, uid)).toHaveLength(1);
    const organizerAfter = await getCopy(alice, path);
    expect(organizerAfter.etag, "recording the same status again does not rewrite the organizer's copy").toBe(organizer.etag);
    expect(ss(organizerAfter.text, bob)).toBe("1.2");
  });
});

describe("out-of-order delivery (RFC 5546 §2.1.5)", () => {
  it("an older REQUEST delivered after a newer one does not overwrite the copy", async () => {
    const { alice, bob } = await cast("alice", "bob");
    const { uid, path, body } = await invite(alice, [bob], "order");
    await putOk(alice, path, body);
    await waitCopy(bob, copyPath(bob, uid));
    await eventually(() => getCopy(alice, path), (c) => ss(c.text, bob) === "1.2", "delivered");

    const jobs: ItipJob[] = [];
    await withHomeQueue(alice.user, recordingQueue(jobs), async () => {
      for (const [start, end] of [["20270105T100000Z", "20270105T110000Z"], ["20270106T100000Z", "20270106T110000Z"]]) {
        const current = await getCopy(alice, path);
        const r = await dav("PUT", path, { as: alice, body: replaceInFirst(replaceInFirst(current.text, "DTSTART", `DTSTART:${start}`), "DTEND", `DTEND:${end}`) });
        expect(r.status).toBe(204);
      }
    });
    const toBob = jobs.filter((j) => j.recipient.toLowerCase() === bob.address.toLowerCase());
    expect(toBob.map((j) => j.sequence)).toEqual([1, 2]);

    await deliverTo(bob, toBob[1]!);
    const newer = await getCopy(bob, copyPath(bob, uid));
    expect(propText(masterOf(newer.text), "dtstart")).toBe("20270106T100000Z");
    await deliverTo(bob, toBob[0]!);
    const after = await getCopy(bob, copyPath(bob, uid));
    expect(propText(masterOf(after.text), "dtstart"), "SEQUENCE 1 does not replace SEQUENCE 2").toBe("20270106T100000Z");
    expect(sequenceOf(masterOf(after.text))).toBe(2);
    expect(after.etag).toBe(newer.etag);
    expect(await rowsWithUid(bob, uid)).toHaveLength(1);
  });

  it("an older REPLY delivered after a newer one does not overwrite the organizer's copy", async () => {
    const { alice, bob } = await cast("alice", "bob");
    const { uid, path, body } = await invite(alice, [bob], "replies");
    await putOk(alice, path, body);
    await waitCopy(bob, copyPath(bob, uid));
    await eventually(() => getCopy(alice, path), (c) => ss(c.text, bob) === "1.2", "delivered");

    const replies: ItipJob[] = [];
    await withHomeQueue(bob.user, recordingQueue(replies), async () => {
      for (const answer of ["ACCEPTED", "DECLINED"]) {
        await nextSecond(); // distinct DTSTAMPs
        const copy = await getCopy(bob, copyPath(bob, uid));
        expect((await dav("PUT", copyPath(bob, uid), { as: bob, body: withPartstat(copy.text, bob, answer) })).status).toBe(204);
      }
    });
    expect(replies.map((j) => j.method)).toEqual(["REPLY", "REPLY"]);
    await deliverTo(alice, replies[1]!);
    expect(ps((await getCopy(alice, path)).text, bob)).toBe("DECLINED");
    await deliverTo(alice, replies[0]!);
    expect(ps((await getCopy(alice, path)).text, bob), "the earlier ACCEPTED does not win").toBe("DECLINED");
  });

  it("two answers of the same attendee within one second are applied in order: the last one wins", async () => {
    const { alice, bob } = await cast("alice", "bob");
    const { uid, path, body } = await invite(alice, [bob], "quick");
    await putOk(alice, path, body);
    await waitCopy(bob, copyPath(bob, uid));
    await eventually(() => getCopy(alice, path), (c) => ss(c.text, bob) === "1.2", "delivered");

    const replies: ItipJob[] = [];
    await withHomeQueue(bob.user, recordingQueue(replies), async () => {
      await nextSecond(); // both PUTs early in the same second
      for (const answer of ["ACCEPTED", "TENTATIVE"]) {
        const copy = await getCopy(bob, copyPath(bob, uid));
        expect((await dav("PUT", copyPath(bob, uid), { as: bob, body: withPartstat(copy.text, bob, answer) })).status).toBe(204);
      }
    });
    expect(replies).toHaveLength(2);
    // Delivered in the order they were sent.
    await deliverTo(alice, replies[0]!);
    await deliverTo(alice, replies[1]!);
    const final = await getCopy(alice, path);
    expect(ps(final.text, bob), `bob's last answer is TENTATIVE; REPLY DTSTAMPs were ${replies.map((r) => r.dtstamp).join(", ")}`).toBe("TENTATIVE");
    expect(ps((await getCopy(bob, copyPath(bob, uid))).text, bob)).toBe("TENTATIVE");
  });
});

describe("failing recipients and an unavailable Queue", () => {
  it("a recipient home that throws on the first two attempts still ends with exactly one copy, delivered", async () => {
    const { alice, bob, carol } = await cast("alice", "bob", "carol");
    const { uid, path, body } = await invite(alice, [bob, carol], "retry");
    const patch = failDeliveries(bob.user, 2);
    try {
      await putOk(alice, path, body);
      await waitCopy(carol, copyPath(carol, uid), undefined, "carol's copy (no faults)");
      const copy = await waitCopy(bob, copyPath(bob, uid), undefined, "bob's copy after the retries", 25_000);
      expect(patch.failures).toBe(2);
      expect(patch.calls).toBeGreaterThanOrEqual(3);
      expect(ps(copy.text, bob)).toBe("NEEDS-ACTION");
    } finally {
      patch.restore();
    }
    const organizer = await eventually(() => getCopy(alice, path), (c) => ss(c.text, bob) === "1.2" && ss(c.text, carol) === "1.2", "both delivered");
    expect(ps(organizer.text, bob)).toBe("NEEDS-ACTION");
    expect(await rowsWithUid(bob, uid)).toHaveLength(1);
    expect(await inboxFor(bob, uid)).toHaveLength(1);
    expect(await inboxFor(carol, uid)).toHaveLength(1);
  }, 40_000);

  it("with the Queue unavailable at commit time the PUT succeeds, the messages wait in the outbox, and the alarm sends them later", async () => {
    const { alice, bob, carol } = await cast("alice", "bob", "carol");
    const { uid, path, body } = await invite(alice, [bob, carol], "later");
    await withHomeQueue(alice.user, failingQueue, async () => {
      const r = await dav("PUT", path, { as: alice, body });
      expect(r.status, "the write is committed even though the Queue refused the messages").toBe(201);
      const waiting = await outboxJobs(alice.user);
      expect(waiting.map((j) => j.recipient.toLowerCase()).sort()).toEqual([bob.address, carol.address].map((a) => a.toLowerCase()).sort());
      const alarm = await runInDurableObject(homeStub(alice.user), (_i: CalendarHome, state: DurableObjectState) => state.storage.getAlarm());
      expect(alarm, "an alarm is set to retry").not.toBeNull();
      await sleep(500);
      expect((await getCopy(bob, copyPath(bob, uid))).status, "nothing was delivered yet").toBe(404);
    });
    expect(await runDurableObjectAlarm(homeStub(alice.user))).toBe(true);
    for (const who of [bob, carol]) {
      const copy = await waitCopy(who, copyPath(who, uid), undefined, `${who.user}'s copy after the alarm`);
      expect(ps(copy.text, who)).toBe("NEEDS-ACTION");
    }
    expect(await outboxJobs(alice.user)).toEqual([]);
    await eventually(() => getCopy(alice, path), (c) => ss(c.text, bob) === "1.2" && ss(c.text, carol) === "1.2", "statuses recorded");
    await sleep(300);
    for (const who of [bob, carol]) {
      expect(await rowsWithUid(who, uid)).toHaveLength(1);
      expect(await inboxFor(who, uid)).toHaveLength(1);
    }
  });

  it("a message that exhausts its retries reaches the dead-letter queue and the organizer's copy says 5.1 (RFC 6638 §3.2.9)", async () => {
    const { alice, bob, carol } = await cast("alice", "bob", "carol");
    const { uid, path, body } = await invite(alice, [bob, carol], "dead");
    const patch = failDeliveries(carol.user, Infinity);
    try {
      await putOk(alice, path, body);
      await waitCopy(bob, copyPath(bob, uid));
      // max_retries 3 with the consumer's back-off of 2, 4 and 8 s.
      const organizer = await eventually(() => getCopy(alice, path), (c) => ss(c.text, carol) === "5.1", "SCHEDULE-STATUS=5.1 for carol", 50_000);
      expect(ss(organizer.text, bob)).toBe("1.2");
      expect(patch.calls).toBe(4);
    } finally {
      patch.restore();
    }
    expect(await rowsWithUid(carol, uid)).toEqual([]);
    expect(await rowsWithUid(bob, uid)).toHaveLength(1);
  }, 70_000);
});

describe("the whole cast stays consistent", () => {
  it("after duplicates of every message of an invite-accept-reschedule exchange, each copy has the latest data once", async () => {
    const { alice, bob, carol } = await cast("alice", "bob", "carol");
    const { uid, path, body } = await invite(alice, [bob, carol], "cast");
    const sent: ItipJob[] = [];
    const tee = (real: Queue<ItipJob>) => ({
      send: (b: ItipJob) => real.send(b),
      sendBatch: async (msgs: Iterable<MessageSendRequest<ItipJob>>) => {
        const list = [...msgs];
        sent.push(...list.map((m) => m.body));
        await real.sendBatch(list);
      },
    }) as never;
    await withHomeQueue(alice.user, tee, async () => {
      await withHomeQueue(bob.user, tee, async () => {
        await putOk(alice, path, body);
        const copy = await waitCopy(bob, copyPath(bob, uid));
        await eventually(() => getCopy(alice, path), (c) => ss(c.text, bob) === "1.2", "delivered");
        expect((await dav("PUT", copyPath(bob, uid), { as: bob, body: withPartstat(copy.text, bob, "ACCEPTED") })).status).toBe(204);
        await eventually(() => getCopy(alice, path), (c) => ps(c.text, bob) === "ACCEPTED", "bob accepted");
        const current = await getCopy(alice, path);
        expect((await dav("PUT", path, { as: alice, body: replaceInFirst(replaceInFirst(current.text, "DTSTART", "DTSTART:20270108T090000Z"), "DTEND", "DTEND:20270108T100000Z") })).status).toBe(204);
        for (const who of [bob, carol]) await waitCopy(who, copyPath(who, uid), (c) => propText(masterOf(c.text), "dtstart") === "20270108T090000Z");
      });
    });
    expect(sent.length).toBeGreaterThanOrEqual(5);
    const snapshot = async () => ({
      alice: (await getCopy(alice, path)).text,
      bob: (await getCopy(bob, copyPath(bob, uid))).text,
      carol: (await getCopy(carol, copyPath(carol, uid))).text,
    });
    await eventually(() => getCopy(alice, path), (c) => ss(c.text, bob) === "1.2" && ss(c.text, carol) === "1.2", "settled");
    await sleep(300);
    const before = await snapshot();
    // Every message again, oldest first, straight to the recipients' homes.
    const who = new Map([alice, bob, carol].map((p) => [p.address.toLowerCase(), p]));
    for (const job of sent) await deliverTo(who.get(job.recipient.toLowerCase())!, job);
    const after = await snapshot();
    expect(after).toEqual(before);
    for (const p of [bob, carol]) {
      expect(await rowsWithUid(p, uid)).toHaveLength(1);
      expect(propText(masterOf(after[p === bob ? "bob" : "carol"]), "dtstart")).toBe("20270108T090000Z");
      expect(ps(after[p === bob ? "bob" : "carol"], p)).toBe("NEEDS-ACTION");
      expect(sequenceOf(masterOf(after[p === bob ? "bob" : "carol"]))).toBe(1);
    }
    expect(ps(after.alice, bob), "the reschedule reset bob's answer").toBe("NEEDS-ACTION");
  });
});
