// Bounds on every recurrence walk (RFC 5545 §3.3.10 RRULE, §3.8.5.3
// recurrence sets), for ical.js's RecurIterator wherever it is created: our
// rule streams (query/recur.ts), ICAL.RecurExpansion (index summary, room
// replies) and zone tables. Left alone, the iterator cannot be trusted with a
// client's rule:
//  - next() loops without bound while contracting BYxxx parts reject every
//    candidate (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30 ran 13-82 s and stalled
//    every other request of the isolate);
//  - a large INTERVAL moves day by day (FREQ=DAILY;INTERVAL=1000000);
//  - a YEARLY rule that never matches scans every year up to 20000 while the
//    iterator is created.
// So the iterator's loops are counted in steps here, and (imported once, this
// module patches ical.js's prototype for the whole isolate):
//  - a next() that finds no instance within STEPS_PER_INSTANCE steps ends the
//    rule there, as does any error ical.js throws while creating or walking
//    it. DTSTART still counts as the first instance (RFC 5545 §3.8.5.3): an
//    iterator that fails while being created still yields it once;
//  - every step is charged to the meters open at that moment (metered(),
//    Budget): a walk, an object, a request. A meter that runs out throws
//    StepLimit out of the walk; its owner answers with the RFC's condition.
// A step is a candidate tested against the rule's parts, a year expanded, a
// month scanned, a weekday tested, or 16 days moved, weighted (WEIGHTS) so
// that a step costs about the same, a few µs, whatever the rule.
// Steps are counted, never timed: workerd freezes the clock during a request.
import ICAL from "ical.js";
import { LIMITS } from "./limits.js";
// Recurrence walks clone times at every step: the faster clone goes wherever they do.
import "./time-clone.js";
import "./recur-case.js";

export { LIMITS } from "./limits.js";

/** A meter ran out of steps; `meter` says which (see metered(), Budget). */
class StepLimitError extends Error {
  constructor(readonly meter: object) {
    super("recurrence expansion exceeded its budget");
  }
}

interface Meter {
  left: number;
}

/**
 * One state per ical.js instance, kept on its prototype: should this module
 * be loaded twice (test runners), both copies count into the same meters.
 */
interface State {
  total: number;
  open: Meter[];
  StepLimit: typeof StepLimitError;
  /** state.total when ical.js's date caches were last emptied. */
  cachesAt: number;
  originals: Record<string, Method>;
}

// ---- the patch -------------------------------------------------------------

const STATE = Symbol.for("edge-caldav/recur-guard");
const proto = ICAL.RecurIterator.prototype as unknown as Record<string, Method> & { [STATE]?: State };

/** Thrown inside one next() past stepsPerInstance: the rule ends there. */
const RULE_END = Symbol("rule end");
const LEFT = Symbol("steps left in this next()");
const WEIGHT = Symbol("steps per candidate");
const BYDAY_WEIGHT = Symbol("steps per weekday test");
const FIRST_ONLY = Symbol("only DTSTART is left");
const PARTS = Symbol("the rule's contracting parts");

interface Iter {
  rule: ICAL.Recur;
  dtstart: ICAL.Time;
  last: ICAL.Time;
  completed: boolean;
  occurrence_number: number;
  [LEFT]?: number;
  [WEIGHT]?: number;
  [BYDAY_WEIGHT]?: number;
  [FIRST_ONLY]?: boolean;
  [PARTS]?: typeof PART_VALUES;
  by_data?: Record<string, unknown>;
}

type Method = (this: Iter, ...args: unknown[]) => unknown;

/** Entries of the rule's BYxxx lists: the iterator's loops scan them. */
function entries(rule: ICAL.Recur, part?: string): number {
  let n = 0;
  for (const [k, v] of Object.entries(rule.parts ?? {})) if (!part || k === part) n += Array.isArray(v) ? v.length : 1;
  return n;
}

/**
 * Steps per call of the iterator's loops, weighted so that a step costs a few
 * µs whatever the rule: a candidate tested against the parts (1, and 1 per 8
 * list entries), a year expanded (the same), a month scanned (8), a weekday
 * tested against BYDAY (1 per BYDAY entry), and 1 per 16 days moved.
 */
const WEIGHTS: Record<string, (it: Iter, args: unknown[]) => number> = {
  check_contracting_rules: (it) => (it[WEIGHT] ??= 1 + Math.floor(entries(it.rule) / 8)),
  expand_year_days: (it) => (it[WEIGHT] ??= 1 + Math.floor(entries(it.rule) / 8)),
  next_month: () => 8,
  is_day_in_byday: (it) => (it[BYDAY_WEIGHT] ??= Math.max(1, entries(it.rule, "BYDAY"))),
  increment_monthday: (_, args) => Math.floor(Math.max(0, Number(args[0]) || 0) / 16),
};

function step(it: Iter, w: number): void {
  if (w <= 0) return;
  const left = it[LEFT] ?? LIMITS.stepsPerInstance;
  // A rule that ends is charged no more than its bound (INTERVAL=1000000 moves a million days at once).
  const charged = Math.min(w, left + 1);
  spend(charged);
  it[LEFT] = left - charged;
  if (left - charged < 0) throw RULE_END;
}

const RI = ICAL.RecurIterator as unknown as { _indexMap: Record<string, number>; _expandMap: Record<string, number[]>; CONTRACT: number };

/** The value of a candidate that a contracting BYxxx part is tested against, in ical.js's order. */
const PART_VALUES: [string, (t: ICAL.Time, wkst: number) => unknown][] = [
  ["BYSECOND", (t) => t.second],
  ["BYMINUTE", (t) => t.minute],
  ["BYHOUR", (t) => t.hour],
  ["BYDAY", (t) => ICAL.Recur.numericDayToIcalDay(t.dayOfWeek())],
  ["BYWEEKNO", (t, wkst) => t.weekNumber(wkst)],
  ["BYMONTHDAY", (t) => t.day],
  ["BYMONTH", (t) => t.month],
  ["BYYEARDAY", (t) => t.dayOfYear()],
];

/** The BYxxx parts the iterator holds that contract its frequency (RFC 5545 §3.3.10's table). */
function contractingParts(it: Iter): typeof PART_VALUES {
  const map = RI._expandMap[String(it.rule.freq)];
  const held = it.by_data ?? {};
  if (!map) return PART_VALUES.filter(([part]) => part in held);
  return PART_VALUES.filter(([part]) => part in held && map[RI._indexMap[part]!] === RI.CONTRACT);
}

/**
 * ical.js's check_contracting_rules(), computing only the values a
 * contracting part needs (it computes the week number and the day of year of
 * every candidate, whatever the rule; a SECONDLY rule spends most of its time
 * there). Same answer, by the same loose comparison.
 */
function checkContracting(this: Iter): boolean {
  const parts = (this[PARTS] ??= contractingParts(this));
  for (const [part, value] of parts) {
    const v = value(this.last, Number(this.rule.wkst));
    const allowed = (this.by_data?.[part] ?? []) as unknown[];
    // eslint-disable-next-line eqeqeq -- ical.js compares with ==
    if (!allowed.some((b) => b == v)) return false;
  }
  return true;
}

/** ical.js's own methods, before the patch (tests compare against them). */
export const originals: Record<string, Method> = {};

/** Both answers for an iterator's current candidate, ours and ical.js's (for tests). */
export function contractingBoth(it: unknown): [boolean, boolean] {
  return [checkContracting.call(it as Iter), Boolean(originals["check_contracting_rules"]!.call(it as Iter))];
}

/**
 * ical.js caches the day of week and week number of every date it ever
 * computes, for good; walks of hostile rules would fill those caches with
 * millions of dates. They are emptied after this many steps.
 */
const CACHE_STEPS = 100_000;

function install(): State {
  const s: State = { total: 0, open: [], StepLimit: StepLimitError, cachesAt: 0, originals: {} };
  proto[STATE] = s;
  for (const name of [...Object.keys(WEIGHTS), "init", "next"]) s.originals[name] = proto[name]!;
  for (const [name, weight] of Object.entries(WEIGHTS)) {
    const original = name === "check_contracting_rules" ? (checkContracting as Method) : proto[name]!;
    proto[name] = function (this: Iter, ...args: unknown[]) {
      step(this, weight(this, args));
      return original.apply(this, args);
    };
  }

  const init = proto["init"]!;
  proto["init"] = function (this: Iter) {
    this[LEFT] = LIMITS.stepsPerInstance;
    try {
      return init.call(this);
    } catch (e) {
      if (e instanceof StepLimitError) throw e;
      // A rule that fails here (no instance found, or parts ical.js rejects) keeps DTSTART only.
      this.last = this.dtstart.clone();
      this[FIRST_ONLY] = true;
      return undefined;
    }
  };

  const next = proto["next"]!;
  proto["next"] = function (this: Iter, again?: unknown) {
    if (this[FIRST_ONLY] && this.occurrence_number > 0) this.completed = true;
    if (this.completed) return null;
    this[LEFT] = LIMITS.stepsPerInstance;
    try {
      return next.call(this, again);
    } catch (e) {
      if (e instanceof StepLimitError) throw e;
      // RULE_END, or ical.js giving up ("Same occurrence found twice"): no further instance.
      this.completed = true;
      return null;
    }
  };
  return s;
}

const state: State = proto[STATE] ?? install();
Object.assign(originals, state.originals);

// ---- meters ----------------------------------------------------------------

export const StepLimit = state.StepLimit;
export type StepLimit = StepLimitError;

/** Steps taken in this isolate so far, by every walk (tests and the benchmark read it). */
export const stepCount = (): number => state.total;

/**
 * Charges `n` steps to every open meter; the outermost one that runs out
 * throws. A meter is charged one step past its limit at most, so that a walk
 * is bounded by its meter's limit + 1, however heavy its last step.
 */
export function spend(n: number): void {
  const open = state.open;
  for (let i = 0; i < open.length; i++) n = Math.min(n, open[i]!.left + 1);
  state.total += n;
  if (state.total - state.cachesAt > CACHE_STEPS) {
    state.cachesAt = state.total;
    const T = ICAL.Time as unknown as { _dowCache: object; _wnCache: object };
    T._dowCache = {};
    T._wnCache = {};
  }
  for (let i = 0; i < open.length; i++) {
    const m = open[i]!;
    m.left -= n;
    if (m.left < 0) throw new state.StepLimit(m);
  }
}

/**
 * Runs `fn` (synchronous) with at most `limit` steps; null when they ran out.
 * A meter opened outside that runs out first is not ours: its StepLimit goes on.
 */
export function metered<T>(limit: number, fn: () => T): { value: T } | null {
  const m: Meter = { left: limit };
  state.open.push(m);
  try {
    return { value: fn() };
  } catch (e) {
    if (e instanceof state.StepLimit && e.meter === m) return null;
    throw e;
  } finally {
    state.open.splice(state.open.lastIndexOf(m), 1);
  }
}

/**
 * The steps one request may spend, across the objects it evaluates (with
 * awaits in between: the budget is only open while run() runs). Each run()
 * gets at most `perRun` steps, so that no synchronous stretch holds the
 * isolate for long.
 */
export class Budget {
  spent = 0;
  constructor(
    readonly limit: number = LIMITS.stepsPerRequest,
    readonly perRun: number = LIMITS.stepsPerObject,
  ) {}

  get exhausted(): boolean {
    return this.spent >= this.limit;
  }

  /** fn's value, or null when this run or the whole budget ran out of steps. */
  run<T>(fn: () => T): { value: T } | null {
    if (this.exhausted) return null;
    const before = state.total;
    try {
      return metered(Math.min(this.perRun, this.limit - this.spent), fn);
    } finally {
      this.spent += state.total - before;
    }
  }
}

