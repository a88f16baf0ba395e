// The soak in its short CI form: `npm run soak` (bench/soak.mjs) for 20
// seconds with --url against wrangler dev started the README's way, 12
// clients on five homes doing reads, conditional writes, deletes and RFC 6638
// invitations and replies; the model check of every acknowledged write must
// pass (nothing lost, unexpected, duplicated or stale, every invitation,
// update, cancellation and reply delivered) with no 5xx and no request left
// unanswered. Throughput is printed, never asserted (a slow 2-core CI machine
// is fine); the full two-minute run is `npm run soak`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runScript } from "../../bench/server.mjs";
import { startServer, type TestServer } from "./server.js";

interface SoakResult {
  ok: boolean;
  requests: number;
  fiveXX: number;
  noAnswer: number;
  check: Record<string, number>;
  settle: { settled: boolean };
  kinds: { kind: string; count: number }[];
  model: { writesAcknowledged: number; invitations: number; meetingsCreated: number };
}

describe("npm run soak, short form (20 s)", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it("keeps every acknowledged write and delivers every invitation, with no 5xx", { timeout: 420_000 }, async () => {
    const run = await runScript("bench/soak.mjs", ["--url", server.url, "--token", server.adminToken!, "--seconds", "20", "--seed", "2026", "--settle-seconds", "120"], { timeoutMs: 400_000 });
    const report = `${run.stdout}\n${run.stderr}`;
    const last = run.stdout.trim().split("\n").at(-1) ?? "";
    expect(last.startsWith("{"), `no JSON result line:\n${report}`).toBe(true);
    const result = JSON.parse(last) as SoakResult;

    expect(result.fiveXX, report).toBe(0);
    expect(result.noAnswer, report).toBe(0);
    expect(result.settle.settled, report).toBe(true);
    expect(result.check, report).toEqual({ lost: 0, unexpected: 0, duplicated: 0, stale: 0, undelivered: 0, inconsistent: 0, status: 0 });
    expect(result.ok, report).toBe(true);
    expect(run.code, report).toBe(0);
    // It did soak: writes were acknowledged and invitations sent, and the main kinds of request ran.
    expect(result.model.writesAcknowledged, report).toBeGreaterThan(0);
    expect(result.model.invitations, report).toBeGreaterThan(0);
    const kinds = new Set(result.kinds.map((k) => k.kind));
    for (const k of ["get", "create", "update", "sync", "query", "multiget", "meeting-create"]) expect(kinds.has(k), `no ${k} request ran:\n${report}`).toBe(true);
  });
});
