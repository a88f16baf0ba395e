// The CPU budget of a request that expands recurrences over many objects
// (calendar-query, its calendar-data, free-busy-query, a home's busy time):
// LIMITS.stepsPerRequest in all, LIMITS.stepsPerObject per object (ical/limits.ts).
// Every request of an isolate shares one thread, so expansion work runs in
// one lane: one object at a time across all requests, handed on through the
// event loop (setTimeout), so that requests that expand nothing (a PROPFIND,
// an OPTIONS) wait behind one object at most, never behind a queue of them.
// A request also pauses after LIMITS.stepsPerSlice steps or
// LIMITS.objectsPerSlice objects. When a budget runs out, the request answers
// DAV:number-of-matches-within-limits (RFC 4791 §7.8 and §7.10 name it as the
// postcondition of calendar-query and free-busy-query): 403, never a partial
// answer presented as complete.
import { C, DavError, precondition } from "../errors.js";
import { LIMITS } from "../ical/limits.js";
import { Budget, stepCount } from "../ical/recur-guard.js";

/** The answer when an expansion would exceed its bounds. */
export const tooLong = (what: string) =>
  precondition(403, C.numberOfMatchesWithinLimits, `${what} exceeds this server's limits on recurrence expansion`);

/** Steps after which an object is heavy enough to pass the lane on through the event loop. */
const HEAVY = 1_000;

/** Is this the answer of tooLong()? */
export const isTooLong = (e: unknown): e is DavError => e instanceof DavError && e.condition?.name === C.numberOfMatchesWithinLimits;

/**
 * A turn of the event loop that lets pending I/O in: a zero delay may run
 * before the runtime polls for I/O (workerd queues it like any other event),
 * so the lane waits a millisecond, long enough for other requests' I/O.
 */
const TURN_MS = 1;
const pause = () => new Promise<void>((resolve) => setTimeout(resolve, TURN_MS));

/** One object at a time across the isolate, handed on through the event loop. */
class Lane {
  private busy = false;
  private readonly waiting: (() => void)[] = [];

  async acquire(): Promise<void> {
    if (!this.busy) {
      this.busy = true;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** After a heavy object the lane passes on through the event loop, so that what is queued meanwhile runs first. */
  release(heavy: boolean): void {
    const next = this.waiting.shift();
    if (!next) this.busy = false;
    else if (heavy) setTimeout(next, TURN_MS);
    else next();
  }
}

const lane = new Lane();

export class RequestBudget {
  private readonly budget: Budget;
  private sliceSteps = 0;
  private sliceObjects = 0;

  constructor(limit: number = LIMITS.stepsPerRequest, perObject: number = LIMITS.stepsPerObject) {
    this.budget = new Budget(limit, perObject);
  }

  get spent(): number {
    return this.budget.spent;
  }

  /** Runs one object's synchronous evaluation in the lane; null when its share or the request's budget ran out. */
  async object<T>(fn: () => T): Promise<{ value: T } | null> {
    if (this.sliceSteps >= LIMITS.stepsPerSlice || this.sliceObjects >= LIMITS.objectsPerSlice) {
      this.sliceSteps = this.sliceObjects = 0;
      await pause();
    }
    await lane.acquire();
    const before = stepCount();
    try {
      return this.budget.run(fn);
    } finally {
      const steps = stepCount() - before;
      this.sliceSteps += steps;
      this.sliceObjects++;
      lane.release(steps >= HEAVY);
    }
  }

  /** As object(), but a budget that runs out is the request's answer: 403 DAV:number-of-matches-within-limits. */
  async must<T>(what: string, fn: () => T): Promise<T> {
    const r = await this.object(fn);
    if (!r) throw tooLong(what);
    return r.value;
  }
}
