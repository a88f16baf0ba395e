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
}

const ADDRESS = /^[^@\s<>"]+@[^@\s<>"]+\.[^@\s<>"]+$/;

/** The settings when outbound iMIP is on, else null. */
export function imipConfig(env: Env): ImipConfig | null {
  const from = env.IMIP_FROM?.trim().toLowerCase() ?? "";
  const email = (env as { EMAIL?: SendEmail }).EMAIL;
  if (!email || !ADDRESS.test(from)) return null;
  const secret = env.IMIP_SECRET?.trim();
  return { email, from, secret: secret ? secret : null };
}

/** SCHEDULE-STATUS promised to an address no principal holds (RFC 6638 §3.2.9): 1.1 sent by e-mail, or 3.7 kept. */
export const outsideStatus = (env: Env): string => (imipConfig(env) ? SCHEDULE_STATUS.SENT : SCHEDULE_STATUS.INVALID_USER);
