// The deployment's iMIP settings (RFC 6047), read from its bindings: outbound
// mail needs the Email Service binding (EMAIL) and a sending address
// (IMIP_FROM); reply tokens need IMIP_SECRET. Missing pieces turn the
// feature off rather than fail: without sending, messages for outside
// addresses are kept and marked 3.7 as before.
import { SCHEDULE_STATUS } from "../core/schedule/index.js";

export interface ImipConfig {
  email: SendEmail;
  /** The sending address, lower case. */
  from: string;
  /** The reply-token key, null when none is set (replies are then trusted by their sender only). */
  secret: string | null;
  /** The deployment's public base URL (IMIP_URL, no trailing slash) for RSVP links; null: invitations carry none. */
  url: string | null;
  limits: ImipLimits;
}

/** Caps on outgoing mail (src/mail/budget.ts), from the vars of the same names. */
export interface ImipLimits {
  /** Messages per hour for the whole deployment (IMIP_MAX_PER_HOUR). */
  perHour: number;
  /** Messages per hour sent for one principal (IMIP_MAX_PER_HOUR_USER). */
  perHourUser: number;
  /** Outside recipients of one iTIP message, e.g. one save of a meeting (IMIP_MAX_RECIPIENTS). */
  recipients: number;
}

/** Defaults that suit a family or a team: a meeting of 50 outside guests, rescheduled a few times in an hour. */
export const IMIP_LIMITS: ImipLimits = { perHour: 1000, perHourUser: 200, recipients: 50 };

const limit = (raw: string | undefined, fallback: number) => {
  const n = Number(raw);
  return raw !== undefined && raw.trim() !== "" && Number.isInteger(n) && n >= 0 ? n : fallback;
};

const ADDRESS = /^[^@\s<>"]+@[^@\s<>"]+\.[^@\s<>"]+$/;

/** The settings when outbound iMIP is on, else null. */
export function imipConfig(env: Env): ImipConfig | null {
  const from = env.IMIP_FROM?.trim().toLowerCase() ?? "";
  const email = (env as { EMAIL?: SendEmail }).EMAIL;
  if (!email || !ADDRESS.test(from)) return null;
  const secret = env.IMIP_SECRET?.trim();
  const limits = {
    perHour: limit(env.IMIP_MAX_PER_HOUR, IMIP_LIMITS.perHour),
    perHourUser: limit(env.IMIP_MAX_PER_HOUR_USER, IMIP_LIMITS.perHourUser),
    recipients: limit(env.IMIP_MAX_RECIPIENTS, IMIP_LIMITS.recipients),
  };
  const url = env.IMIP_URL?.trim().replace(/\/+$/, "") ?? "";
  return { email, from, secret: secret ? secret : null, url: /^https?:\/\/[^\s"<>]+$/.test(url) ? url : null, limits };
}

/** SCHEDULE-STATUS promised to an address no principal holds (RFC 6638 §3.2.9): 1.1 sent by e-mail, or 3.7 kept. */
export const outsideStatus = (env: Env): string => (imipConfig(env) ? SCHEDULE_STATUS.SENT : SCHEDULE_STATUS.INVALID_USER);

/**
 * The recipients cap on one planned iTIP message (`promised`: recipient → SCHEDULE-STATUS, promisedStatuses):
 * outside recipients past IMIP_MAX_RECIPIENTS are promised 5.1 and sent nothing. Logged.
 */
export function capOutside(env: Env, promised: Record<string, string>): Record<string, string> {
  const config = imipConfig(env);
  if (!config) return promised;
  const outside = Object.keys(promised).filter((a) => promised[a] === SCHEDULE_STATUS.SENT);
  const over = outside.slice(config.limits.recipients);
  if (!over.length) return promised;
  console.warn(`iMIP: ${outside.length} outside recipients, over the cap of ${config.limits.recipients}; not sent to ${over.length} (5.1)`);
  return { ...promised, ...Object.fromEntries(over.map((a) => [a, SCHEDULE_STATUS.TEMPORARY_FAILURE])) };
}
