// RRULE and EXRULE values read whatever their case, for the whole isolate
// (imported once, this module patches ical.js's recurrence-rule parser).
// RFC 5545 §3.3.10 writes the rule's parts and their values as quoted
// strings of ABNF, which are case-insensitive (RFC 5234 §2.3), so
// "freq=weekly;byday=mo,we" is the same rule as "FREQ=WEEKLY;BYDAY=MO,WE";
// ical.js takes the part names in any case but not the values (it refused
// the frequency and the weekdays). Every value a rule may hold is a number,
// a keyword or an UNTIL date-time, so the whole rule is read upper-cased.
// The stored body keeps the client's text; only its reading changes.
import ICAL from "ical.js";

type StringToData = (value: string, fmtIcal: boolean) => unknown;

const PATCHED = Symbol.for("edge-caldav/recur-case");
const Recur = ICAL.Recur as unknown as { _stringToData: StringToData & { [PATCHED]?: StringToData } };

/** ical.js's own reader of a rule's text, unpatched. */
const original: StringToData = Recur._stringToData[PATCHED] ?? Recur._stringToData;

function caseless(this: unknown, value: string, fmtIcal: boolean): unknown {
  return original.call(this, typeof value === "string" ? value.toUpperCase() : value, fmtIcal);
}

if (!Recur._stringToData[PATCHED]) Recur._stringToData = Object.assign(caseless, { [PATCHED]: original });
