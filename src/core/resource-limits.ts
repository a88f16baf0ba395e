// The limits every stored calendar object is held to (RFC 4791 §5.2.5-§5.2.9:
// max-resource-size, min/max-date-time, max-instances,
// max-attendees-per-instance) and the home's quota (RFC 4331), from the
// Worker's configured variables: one definition for the DAV handlers and the
// calendar home's import jobs.
import type { Limits } from "./props/types.js";

export const MIN_DATE_TIME = Date.UTC(1800, 0, 1);
export const MAX_DATE_TIME = Date.UTC(2300, 0, 1);

/** `vars`: the MAX_RESOURCE_SIZE and QUOTA_BYTES of wrangler.toml [vars], as strings. */
export function limitsOf(vars: { MAX_RESOURCE_SIZE?: string | undefined; QUOTA_BYTES?: string | undefined }): Limits {
  return {
    maxResourceSize: Number(vars.MAX_RESOURCE_SIZE ?? 1_048_576),
    quotaBytes: Number(vars.QUOTA_BYTES ?? 1 << 30),
    minDateTime: MIN_DATE_TIME,
    maxDateTime: MAX_DATE_TIME,
    maxInstances: 10_000,
    maxAttendeesPerInstance: 1_000,
  };
}
