// Secrets and optional settings that are not in wrangler.toml, so `wrangler types` cannot see them.
interface Env {
  /** Bearer token for the admin API (`wrangler secret put ADMIN_TOKEN`); the API is off without it. */
  ADMIN_TOKEN?: string;
  /** Milliseconds a throttled login waits before its password is checked, doubling per failure (default 500; tests set less). */
  LOGIN_DELAY_MS?: string;
  /** Milliseconds a verified login is accepted per isolate without asking the Directory (default 30000, at most 60000, 0: off). */
  LOGIN_CACHE_TTL_MS?: string;
  /** The address iMIP messages are sent from (a domain onboarded in Email Service); outbound iMIP is off without it. */
  IMIP_FROM?: string;
  /** Key of the HMAC that signs reply tokens (`wrangler secret put IMIP_SECRET`); without it replies are trusted by sender only. */
  IMIP_SECRET?: string;
  /** The deployment's public URL, e.g. https://caldav.example.com: invitations then carry RSVP links (/rsvp/...). */
  IMIP_URL?: string;
  /** Caps on outgoing e-mail (src/mail/config.ts IMIP_LIMITS): per hour for the deployment, per hour per user, outside recipients per message. */
  IMIP_MAX_PER_HOUR?: string;
  IMIP_MAX_PER_HOUR_USER?: string;
  IMIP_MAX_RECIPIENTS?: string;
}
