// Secrets are not in wrangler.toml, so `wrangler types` cannot see them.
interface Env {
  /** Bearer token for the admin API (`wrangler secret put ADMIN_TOKEN`); the API is off without it. */
  ADMIN_TOKEN?: string;
}
