// What the home's index can say about a calendar-query filter (RFC 4791
// section 9.7) before any body is read: which component types and which
// time range to narrow to, and whether a candidate's answer follows from
// its index row alone.
import type { CompFilter } from "./filter.js";

export const CALENDAR_COMPONENTS = ["VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY"];

export interface QueryPlan {
  components?: string[] | undefined;
  start?: number | null | undefined;
  end?: number | null | undefined;
  /**
   * True when the filter is only "component X [overlapping a range]": rows of
   * type X match outright when there is no range, and exact rows match iff
   * their span overlaps it (the §9.9 test start < qEnd && end > qStart).
   */
  indexDecides: boolean;
}

export function planQuery(top: CompFilter): QueryPlan {
  const only = top.comps.length === 1 && top.props.length === 0 ? top.comps[0]! : undefined;
  if (!only || only.isNotDefined || !CALENDAR_COMPONENTS.includes(only.name)) return { indexDecides: false };
  // With test="anyof" beside other tests, the time-range is one alternative: it narrows nothing.
  const alone = only.props.length === 0 && only.comps.length === 0;
  const range = only.test === "allof" || alone ? only.timeRange : undefined;
  return {
    components: [only.name],
    start: range?.start ?? null,
    end: range?.end ?? null,
    indexDecides: alone,
  };
}

/** What the index says of one row (home/query.ts): its span, and for a recurring object its instance spans. */
export interface IndexFacts {
  start: number | null;
  end: number | null;
  /** [start, end) is the one instance's exact span (a lone, zoned, non-recurring component). */
  exact: boolean;
  recurring?: boolean | undefined;
  /** Instances are indexed up to this instant (null: none indexed). */
  instUntil?: number | null | undefined;
  /** The instance spans are exact (instance-index.ts InstanceIndex.exact). */
  instExact?: boolean | undefined;
  /** Whether an instance span satisfies start < qEnd && end > qStart for the plan's range (undefined: not asked). */
  instHit?: boolean | undefined;
}

/** For an index-decidable plan: true/false when the row decides, undefined when the body must be read. */
export function decideFromIndex(plan: QueryPlan, row: IndexFacts): boolean | undefined {
  if (!plan.indexDecides) return undefined;
  if (plan.start == null && plan.end == null) return true;
  if (row.recurring) {
    // Every instance that can overlap a range ending by instUntil is indexed, each with its exact span: the §9.9
    // test over them is the test over the recurrence set, which the body's expansion would make.
    if (!row.instExact || row.instHit === undefined || plan.end == null || row.instUntil == null || row.instUntil < plan.end) return undefined;
    return row.instHit;
  }
  if (!row.exact || row.start === null || row.end === null) return undefined;
  return (plan.end == null || row.start < plan.end) && (plan.start == null || row.end > plan.start);
}
