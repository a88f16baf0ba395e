// Conditional requests: If-Match and If-None-Match (RFC 9110 section 13.1),
// evaluated against the current strong ETag of a calendar object or the mere
// existence of a resource without one (a collection), and the HTTP-dates of
// If-Modified-Since and If-Unmodified-Since.
// If-Schedule-Tag-Match (RFC 6638 section 8.3) uses the same list form.
import { preconditionFailed } from "./errors.js";

export type EtagCondition = string[] | "*";

/** Parses an If-Match / If-None-Match / If-Schedule-Tag-Match header value. */
export function parseEtagList(value: string | null | undefined): EtagCondition | undefined {
  if (value == null) return undefined;
  const v = value.trim();
  if (v === "*") return "*";
  const tags = v.match(/(W\/)?"[^"]*"/g);
  // A malformed header cannot match anything; keep it as an empty list.
  return tags ?? [];
}

/** Strong comparison: weak tags never match (RFC 9110 section 8.8.3.2). */
const matches = (list: EtagCondition, current: string | null): boolean =>
  current !== null && (list === "*" || list.some((t) => !t.startsWith("W/") && t === current));

/** Throws 412 unless the conditions hold for a resource whose stored (unquoted) ETag is `stored` (null: absent). */
export function checkConditions(
  stored: string | null,
  cond: { ifMatch?: EtagCondition | undefined; ifNoneMatch?: EtagCondition | undefined },
): void {
  const current = stored === null ? null : quoteEtag(stored);
  if (cond.ifMatch !== undefined && !matches(cond.ifMatch, current)) throw preconditionFailed("If-Match failed");
  if (cond.ifNoneMatch !== undefined && (cond.ifNoneMatch === "*" ? current !== null : matches(cond.ifNoneMatch, current)))
    throw preconditionFailed("If-None-Match failed");
}

export const quoteEtag = (raw: string) => `"${raw}"`;

/** If-Schedule-Tag-Match (RFC 6638 §8.3): 412 unless the resource exists with a matching Schedule-Tag. */
export function checkScheduleTag(current: string | null, cond: EtagCondition | undefined): void {
  if (cond === undefined) return;
  if (current === null || (cond !== "*" && !cond.includes(quoteEtag(current)))) throw preconditionFailed("If-Schedule-Tag-Match failed");
}

/**
 * An HTTP-date (RFC 9110 §5.6.7) in milliseconds, in any of its three forms (IMF-fixdate, RFC 850's, asctime's, each
 * starting with the day's name); null when absent or not a date (the header is then ignored).
 */
export function httpDate(value: string | null): number | null {
  const v = value?.trim();
  if (!v || !/^[A-Za-z]{3,9},? /.test(v)) return null;
  // asctime's form names no zone, and means GMT as the others do.
  const t = Date.parse(/\b(GMT|UTC)$/i.test(v) ? v : `${v} GMT`);
  return Number.isFinite(t) ? t : null;
}

/** The opaque part of an entity tag: a weak comparison ignores the W/ prefix (RFC 9110 §8.8.3.2). */
export const opaqueTag = (tag: string): string => (tag.startsWith("W/") ? tag.slice(2) : tag);

/** HTTP-dates have whole seconds: a modification (ms) is after `date` (ms) when its second is. */
export const wholeSecond = (ms: number): number => Math.floor(ms / 1000) * 1000;

/**
 * If-Match and If-None-Match for a method other than GET and HEAD, on a resource that may exist without an entity tag
 * (a collection): `current` is null when it does not exist, else its quoted entity tag or null. Throws 412: If-Match
 * compares strongly, If-None-Match weakly (RFC 9110 §13.1.1, §13.1.2).
 */
export function checkResourceConditions(current: { etag: string | null } | null, cond: { ifMatch?: EtagCondition | undefined; ifNoneMatch?: EtagCondition | undefined }): void {
  const { ifMatch, ifNoneMatch } = cond;
  if (ifMatch !== undefined && (current === null || (ifMatch !== "*" && (current.etag === null || !ifMatch.includes(current.etag)))))
    throw preconditionFailed("If-Match failed");
  const tag = current?.etag;
  if (ifNoneMatch !== undefined && current !== null && (ifNoneMatch === "*" || (tag != null && ifNoneMatch.some((t) => opaqueTag(t) === opaqueTag(tag)))))
    throw preconditionFailed("If-None-Match failed");
}
