// Test projects: "core" runs the pure protocol core in plain Node; "worker"
// runs the whole Worker inside workerd with real local bindings (Durable
// Objects with SQLite, R2, KV, Queues) from wrangler.toml; "http" talks to
// `wrangler dev` over HTTP; "browser" drives Debian's chromium against one
// `wrangler dev` for the web page (test/browser/harness.ts).
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

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
        plugins: [
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
              bindings: { ADMIN_TOKEN: "test-admin-token", LOGIN_DELAY_MS: "5", LOGIN_CACHE_TTL_MS: "5000" },
            },
          }),
        ],
        test: {
          name: "worker",
          include: ["test/worker/**/*.test.ts"],
          // Logins hash with PBKDF2 (100,000 iterations) in the runtime: a test of many logins takes seconds on a
          // loaded machine. A hung test still fails, after 30 s.
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
          // One chromium per file, and two cores on the CI machine: files run two at a time.
          maxWorkers: 2,
        },
      },
    ],
  },
});
