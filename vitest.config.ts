// Two test projects: "core" runs the pure protocol core in plain Node, and
// "worker" runs the whole Worker inside workerd with real local bindings
// (Durable Objects with SQLite, R2, KV, Queues) from wrangler.toml.
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
    ],
  },
});
