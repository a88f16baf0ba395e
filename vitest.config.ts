// Test projects: "core" runs the pure protocol core in plain Node; "worker"
// runs the whole Worker inside workerd with real local bindings (Durable
// Objects with SQLite, R2, KV, Queues) from wrangler.toml; "imip" runs the
// same Worker with outbound e-mail on (test/worker/imip); "http" talks to
// `wrangler dev` over HTTP; "browser" drives Debian's chromium against one
// `wrangler dev` for the web page (test/browser/harness.ts).
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/** The Worker inside workerd with the bindings of wrangler.toml, test settings, and `vars` added. */
const workers = (vars: Record<string, string> = {}) =>
  cloudflareTest({
    wrangler: { configPath: "./wrangler.toml" },
    miniflare: {
      // Fast queue delivery in tests (see DEVELOPERS.md).
      queueConsumers: {
        "edge-caldav-itip": { maxBatchTimeout: 0, maxRetries: 3, retryDelay: 0, deadLetterQueue: "edge-caldav-itip-dlq" },
        "edge-caldav-itip-dlq": { maxBatchTimeout: 0 },
      },
      // Throttled logins wait 5 ms instead of 500 ms before their check, and a verified login is
      // cached per isolate for 5 s instead of 30 s, so revocation tests wait little (src/http/login.ts).
      bindings: { ADMIN_TOKEN: "test-admin-token", LOGIN_DELAY_MS: "5", LOGIN_CACHE_TTL_MS: "5000", ...vars },
    },
  });

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "core",
          include: ["test/core/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        plugins: [workers()],
        test: {
          name: "worker",
          include: ["test/worker/**/*.test.ts"],
          // Logins hash with PBKDF2 (100,000 iterations) in the runtime: a test of many logins takes seconds on a
          // loaded machine. A hung test still fails, after 30 s.
          testTimeout: 30_000,
          exclude: ["test/worker/imip/**"],
        },
      },
      {
        // The same Worker with outbound iMIP on (README "E-mail (iMIP)"): the send_email binding of wrangler.toml,
        // which miniflare simulates, a sending address and a reply-token secret.
        plugins: [workers({ IMIP_FROM: "calendar@example.com", IMIP_SECRET: "test-imip-secret", IMIP_URL: "https://caldav.example.com" })],
        test: {
          name: "imip",
          include: ["test/worker/imip/**/*.test.ts"],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "http",
          include: ["test/http/**/*.test.ts"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/browser/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // A page may take seconds to answer on a loaded machine: expect.poll waits up to 20 s, not 1 s.
          expect: { poll: { timeout: 20_000 } },
          // One chromium per file, and two cores on the CI machine: files run two at a time.
          maxWorkers: 2,
          // After the other projects, not beside them: chromium and wrangler dev beside the worker tests
          // pushed their 5 s timeouts over on a 2-core machine.
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
