// The home's outbox is handed to the Queue once per message (RFC 6638 §3.2:
// each attendee is sent one message per change), however many commits run
// at the same time: a commit made while a send is under way joins it
// (src/home/outbox.ts OutboxSender) instead of reading and sending the same
// rows again, and a commit's messages are never left behind by a send that
// had already ended.
import { describe, expect, it, vi } from "vitest";
import type { ItipJob } from "../../../src/core/itip-job.js";
import { putOk } from "../../helpers/caldav.js";
import { outboxJobs, withHomeQueue } from "../../helpers/faults.js";
import { cast, meeting, newUid, sleep } from "../../helpers/scheduling.js";

vi.setConfig({ testTimeout: 30_000 });

/** A queue that records each job it is given, taking `ms` per batch (so commits overlap a send under way). */
const slowRecordingQueue = (into: ItipJob[], ms: number) => () =>
  ({
    send: async (body: ItipJob) => {
      await sleep(ms);
      into.push(body);
    },
    sendBatch: async (msgs: Iterable<MessageSendRequest<ItipJob>>) => {
      const batch = [...msgs].map((m) => m.body);
      await sleep(ms);
      into.push(...batch);
    },
  }) as unknown as Pick<Queue<ItipJob>, "send" | "sendBatch">;

describe("the outbox's sender (RFC 6638 §3.2)", () => {
  it("concurrent meeting PUTs hand each message to the Queue exactly once", async () => {
    const { alice, bob, carol } = await cast("alice", "bob", "carol");
    const sent: ItipJob[] = [];
    const uids = Array.from({ length: 8 }, (_, i) => newUid(`ob${i}`));
    await withHomeQueue(alice.user, slowRecordingQueue(sent, 30), () =>
      Promise.all(uids.map((uid, i) =>
        putOk(alice, `/calendars/${alice.user}/calendar/ob-${i}.ics`, meeting({
          uid, organizer: alice, attendees: [{ who: bob }, { who: carol }], start: "20270301T100000Z", end: "20270301T110000Z",
        })),
      )),
    );
    const ids = sent.map((j) => j.id);
    expect(new Set(ids).size, "no message sent twice").toBe(ids.length);
    expect(ids, "one invitation per attendee per meeting").toHaveLength(16);
    for (const uid of uids) expect(sent.filter((j) => j.uid === uid).map((j) => j.recipient.toLowerCase()).sort()).toEqual([bob.address, carol.address].map((a) => a.toLowerCase()).sort());
    expect(await outboxJobs(alice.user), "nothing left behind").toEqual([]);
  });

  it("a commit during a send that fails is kept for the alarm, not lost", async () => {
    const { alice, bob } = await cast("alice", "bob");
    let calls = 0;
    const flaky = () =>
      ({
        send: async () => {},
        sendBatch: async () => {
          calls++;
          await sleep(30);
          throw new Error("queue unavailable (test)");
        },
      }) as unknown as Pick<Queue<ItipJob>, "send" | "sendBatch">;
    const uids = [newUid("obf1"), newUid("obf2")];
    await withHomeQueue(alice.user, flaky, () =>
      Promise.all(uids.map((uid, i) =>
        putOk(alice, `/calendars/${alice.user}/calendar/obf-${i}.ics`, meeting({
          uid, organizer: alice, attendees: [{ who: bob }], start: "20270302T100000Z", end: "20270302T110000Z",
        })),
      )),
    );
    expect(calls, "the second commit joined the send under way").toBe(1);
    expect((await outboxJobs(alice.user)).map((j) => j.uid).sort(), "both meetings' messages wait in the outbox").toEqual([...uids].sort());
  });
});
