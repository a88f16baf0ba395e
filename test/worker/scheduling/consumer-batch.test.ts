// The Queue consumer's work per batch (src/delivery.ts; RFC 6638 §3.2.9 for
// what an address outside the server is told): it asks the directory about
// every recipient and sender of a batch in one call, and keeps the messages
// for outside addresses with one call per sending home, not one per message.
// Every message is still acknowledged and kept once.
import { afterEach, describe, expect, it, vi } from "vitest";
import { env } from "cloudflare:workers";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import type { ItipJob } from "../../../src/core/itip-job.js";
import { queue, ITIP_QUEUE } from "../../../src/delivery.js";
import { Directory } from "../../../src/directory/directory.js";
import { CalendarHome } from "../../../src/home/calendar-home.js";
import { homeSql, putOk } from "../../helpers/caldav.js";
import { recordingQueue, withHomeQueue } from "../../helpers/faults.js";
import { cast, meeting, newUid } from "../../helpers/scheduling.js";

vi.setConfig({ testTimeout: 30_000 });

const restore: Array<() => void> = [];
afterEach(() => {
  while (restore.length) restore.pop()!();
});

/**
 * Counts calls of the named methods of a Durable Object class from outside it (the test runs in the same isolate
 * as the Worker): a method the object calls on itself while one of them runs is not counted.
 */
function countCalls<M extends string>(proto: object, methods: M[]): Record<M, number> {
  const calls = {} as Record<M, number>;
  const p = proto as Record<string, (...a: unknown[]) => unknown>;
  let depth = 0;
  for (const m of methods) {
    const original = p[m]!;
    calls[m] = 0;
    p[m] = function (this: unknown, ...args: unknown[]) {
      if (depth === 0) calls[m]++;
      depth++;
      try {
        return original.apply(this, args);
      } finally {
        depth--;
      }
    };
    restore.push(() => (p[m] = original));
  }
  return calls;
}

describe("the Queue consumer's batch", () => {
  it("one directory call, and one call to the sending home per 25 messages in flight, for 30 messages to outside addresses (RFC 6638 §3.2.9: kept, 3.7)", async () => {
    const { alice } = await cast("alice");
    const jobs: ItipJob[] = [];
    const guests = [1, 2, 3].map((n) => `mailto:guest-${n}-${newUid("g").split("@")[0]}@example.invalid`);
    await withHomeQueue(alice.user, recordingQueue(jobs), async () => {
      for (let i = 0; i < 10; i++) {
        await putOk(alice, `/calendars/${alice.user}/calendar/cb-${i}.ics`, meeting({
          uid: newUid(`cb${i}`), organizer: alice, attendees: guests.map((g) => ({ who: g })), start: "20270401T100000Z", end: "20270401T110000Z",
        }));
      }
    });
    expect(jobs).toHaveLength(30);

    const directory = countCalls(Directory.prototype, ["principalsFor", "principalByAddress", "getPrincipal"]);
    const home = countCalls(CalendarHome.prototype, ["keepForEmail", "deliver", "recordStatus"]);
    const batch = createMessageBatch<ItipJob>(ITIP_QUEUE, jobs.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })));
    const ctx = createExecutionContext();
    await queue(batch, env);
    const result = await getQueueResult(batch, ctx);

    expect(result.explicitAcks.length, "every message acknowledged").toBe(30);
    expect(result.retryMessages).toEqual([]);
    expect(directory, "the directory is asked once for the batch").toEqual({ principalsFor: 1, principalByAddress: 0, getPrincipal: 0 });
    // One call for the messages in flight together (25 at a time): 30 messages, at most 2 calls (it was one each).
    expect(home.keepForEmail, "kept with a call to alice's home per 25 messages").toBeLessThanOrEqual(2);
    expect(home.deliver + home.recordStatus, "nothing delivered, nothing reported (3.7 was promised)").toBe(0);
    const kept = await homeSql<{ id: string }>(alice.user, "SELECT id FROM email_outbox ORDER BY id");
    expect(kept.map((r) => r.id).sort()).toEqual(jobs.map((j) => j.id).sort());
  });

  it("local recipients are delivered as before, their sender and addresses from the one directory call", async () => {
    const { alice, bob, carol } = await cast("alice", "bob", "carol");
    const jobs: ItipJob[] = [];
    const uid = newUid("cbl");
    await withHomeQueue(alice.user, recordingQueue(jobs), () =>
      putOk(alice, `/calendars/${alice.user}/calendar/cbl.ics`, meeting({ uid, organizer: alice, attendees: [{ who: bob }, { who: carol }], start: "20270402T100000Z", end: "20270402T110000Z" })),
    );
    const directory = countCalls(Directory.prototype, ["principalsFor", "principalByAddress", "getPrincipal"]);
    const batch = createMessageBatch<ItipJob>(ITIP_QUEUE, jobs.map((body, i) => ({ id: `l${i}`, timestamp: new Date(), attempts: 1, body })));
    const ctx = createExecutionContext();
    await queue(batch, env);
    expect((await getQueueResult(batch, ctx)).explicitAcks.length).toBe(2);
    expect(directory).toEqual({ principalsFor: 1, principalByAddress: 0, getPrincipal: 0 });
    for (const who of [bob, carol]) {
      const rows = await homeSql<{ n: number }>(who.user, "SELECT COUNT(*) AS n FROM objects WHERE uid = ? AND snapshot IS NOT NULL", uid);
      expect(rows[0]!.n, `${who.user} holds the invitation`).toBe(1);
    }
  });
});
