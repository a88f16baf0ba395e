// Counts the calls a request makes to calendar homes and the R2 body reads
// (test/worker/round-trips.test.ts, test/worker/sharing/round-trips.test.ts):
// every CalendarHome method is wrapped for the test's duration.
import { afterEach, beforeEach } from "vitest";
import { env } from "cloudflare:workers";
import { CalendarHome } from "../../src/home/calendar-home.js";

const HOME_METHODS = Object.getOwnPropertyNames(CalendarHome.prototype).filter(
  (m) => m !== "constructor" && m !== "alarm" && typeof Object.getOwnPropertyDescriptor(CalendarHome.prototype, m)?.value === "function",
);

export const counts = { homeCalls: [] as string[], r2Reads: 0 };

export function reset(): void {
  counts.homeCalls = [];
  counts.r2Reads = 0;
}

/** Installs the counting wrappers around each test of the calling file. */
export function countHomeCalls(): void {
  const restore: Array<() => void> = [];
  beforeEach(() => {
    reset();
    const proto = CalendarHome.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
    for (const m of HOME_METHODS) {
      const original = proto[m]!;
      proto[m] = function (this: unknown, ...args: unknown[]) {
        counts.homeCalls.push(m);
        return original.apply(this, args);
      };
      restore.push(() => (proto[m] = original));
    }
    const bucket = env.BODIES as unknown as { get: (...a: unknown[]) => unknown };
    const get = bucket.get;
    bucket.get = function (this: unknown, ...args: unknown[]) {
      counts.r2Reads++;
      return get.apply(this, args);
    };
    restore.push(() => (bucket.get = get));
  });
  afterEach(() => {
    while (restore.length) restore.pop()!();
  });
}

/** Calls made from the outer request only: the method wrappers also see calls the home makes on itself. */
export const outer = (calls: string[]) => calls.filter((c) => !c.startsWith("with") && c !== "afterCommit" && c !== "dropBodies" && c !== "scheduleAlarm");
