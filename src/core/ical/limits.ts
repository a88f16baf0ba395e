// Every bound on recurrence expansion (RFC 5545 §3.8.5), in one place; the
// README's "Limits" section lists them with what happens past each. A step is
// one iteration of a recurrence loop (see recur-guard.ts): a candidate tested
// against a rule; an occurrence drawn by a walk counts stepsPerOccurrence.
// Steps are counted, not timed, so the bounds hold on any machine; the README
// gives their cost on the development machine.
export const LIMITS = {
  /** A rule that finds no next instance within this many steps ends there (DAILY: 10.9 years; HOURLY: 5.5 months; SECONDLY: 66 minutes). */
  stepsPerInstance: 4_000,
  /** One walk over a recurrence set (query/instances.ts, the index summary, room replies); past it the walk is cut short. */
  stepsPerWalk: 25_000,
  /** Occurrences one walk draws. */
  occurrencesPerWalk: 10_000,
  /** Steps an occurrence costs when a walk draws it (building an instance costs about four candidate tests). */
  stepsPerOccurrence: 4,
  /** One calendar object in one request, run without a pause (a REPORT's match and calendar-data, its busy time). */
  stepsPerObject: 25_000,
  /** One request: a REPORT, one home's busy time for a free-busy POST or a room's decision. */
  stepsPerRequest: 500_000,
  /** The instances of a bounded rule counted at PUT (COUNT, UNTIL) for max-instances and the index's end. */
  instancesCounted: 3_000,
  /** Instances indexed per recurring event at PUT and delivery, and how far ahead. */
  instancesIndexed: 1_000,
  indexHorizonMs: 3 * 366 * 86_400_000,
  /** Instances a room or resource checks against its busy time, and how far ahead. */
  roomInstances: 1_000,
  roomHorizonMs: 2 * 366 * 86_400_000,
  /** Steps between two pauses of a request that evaluates many objects (the isolate serves other requests in between). */
  stepsPerSlice: 10_000,
  /** Objects between two pauses, whatever their steps (parsing costs too). */
  objectsPerSlice: 64,
} as const;
