// Fault injection for the scheduling scenarios: a calendar home whose Queue
// binding records, fails or forwards what it is given (swapped on the live
// Durable Object instance), and a CalendarHome.deliver that throws for one
// home for a while (the test runs in the same isolate as the worker).
import { runInDurableObject } from "cloudflare:test";
import { CalendarHome } from "../../src/home/calendar-home.js";
import type { ItipJob } from "../../src/core/itip-job.js";
import { homeStub } from "./caldav.js";

type QueueLike = Pick<Queue<ItipJob>, "send" | "sendBatch">;

/** Runs `fn` while the live instance of `user`'s home sees `patch` over its bindings and vars. */
export async function withHomeEnv<T>(user: string, patch: (real: Env) => Record<string, unknown>, fn: () => Promise<T>): Promise<T> {
  let saved: Env | undefined;
  await runInDurableObject(homeStub(user), (instance: CalendarHome) => {
    const self = instance as unknown as { env: Env };
    saved = self.env;
    const replaced = Object.create(saved) as Env;
    for (const [name, value] of Object.entries(patch(saved))) Object.defineProperty(replaced, name, { value, enumerable: true });
    self.env = replaced;
  });
  try {
    return await fn();
  } finally {
    await runInDurableObject(homeStub(user), (instance: CalendarHome) => {
      (instance as unknown as { env: Env }).env = saved!;
    });
  }
}

/** Runs `fn` while the home of `user` hands its outbox to `queue` instead of ITIP_QUEUE. */
export const withHomeQueue = <T>(user: string, queue: (real: Queue<ItipJob>) => QueueLike, fn: () => Promise<T>): Promise<T> =>
  withHomeEnv(user, (real) => ({ ITIP_QUEUE: queue(real.ITIP_QUEUE as unknown as Queue<ItipJob>) }), fn);

/** A queue that keeps every job it is given (nothing is delivered). */
export function recordingQueue(into: ItipJob[]): () => QueueLike {
  return () => ({
    send: async (body: ItipJob) => {
      into.push(body);
    },
    sendBatch: async (msgs: Iterable<MessageSendRequest<ItipJob>>) => {
      for (const m of msgs) into.push(m.body);
    },
  }) as unknown as QueueLike;
}

/** A queue that refuses everything, as when the Queue is unavailable. */
export const failingQueue = (): QueueLike =>
  ({
    send: async () => {
      throw new Error("queue unavailable (test)");
    },
    sendBatch: async () => {
      throw new Error("queue unavailable (test)");
    },
  }) as unknown as QueueLike;

/** The outbox rows of a home (messages committed but not yet handed to the Queue). */
export async function outboxJobs(user: string): Promise<ItipJob[]> {
  return runInDurableObject(homeStub(user), (_i: CalendarHome, state: DurableObjectState) =>
    state.storage.sql.exec<{ payload: string }>("SELECT payload FROM outbox ORDER BY created").toArray().map((r) => JSON.parse(r.payload) as ItipJob),
  );
}

export interface DeliverPatch {
  /** Calls of deliver() on the patched home so far (failed ones included). */
  calls: number;
  failures: number;
  restore(): void;
}

/**
 * Makes CalendarHome.deliver throw for the home of `user` on its first
 * `failures` calls (Infinity: always); other homes are untouched.
 */
export function failDeliveries(user: string, failures: number): DeliverPatch {
  const original = CalendarHome.prototype.deliver;
  const state: DeliverPatch = {
    calls: 0,
    failures: 0,
    restore: () => {
      CalendarHome.prototype.deliver = original;
    },
  };
  CalendarHome.prototype.deliver = async function (this: CalendarHome, ...args: Parameters<CalendarHome["deliver"]>) {
    const name = (this as unknown as { ctx: DurableObjectState }).ctx.id.name;
    if (name === user) {
      state.calls++;
      if (state.failures < failures) {
        state.failures++;
        throw new Error(`injected delivery failure ${state.failures} for ${user}`);
      }
    }
    return original.apply(this, args);
  };
  return state;
}

/** Counts deliver() calls for the home of `user` without changing them. */
export const countDeliveries = (user: string): DeliverPatch => failDeliveries(user, 0);

/** Runs `fn` while the home of `user` has a quota of `bytes` (QUOTA_BYTES swapped on the live instance). */
export const withHomeQuota = <T>(user: string, bytes: number, fn: () => Promise<T>): Promise<T> =>
  withHomeEnv(user, () => ({ QUOTA_BYTES: String(bytes) }), fn);
