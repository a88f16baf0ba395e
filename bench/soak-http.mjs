// The soak's HTTP client: one fetch per request with HTTP Basic (RFC 7617)
// and a timeout, and the statistics the report prints: per kind of request
// the count, status codes and latencies; every 5xx and every request that got
// no answer, kept with its request and answer so it can be reproduced.
import { basicAuth } from "./server.mjs";

/** How many examples of each kind of problem are kept (the counts are exact). */
const KEEP_EXAMPLES = 20;

export class Stats {
  constructor() {
    /** kind → { count, statuses: { code: n }, latencies: ms[] } */
    this.kinds = new Map();
    this.statuses = {};
    this.fiveXX = [];
    this.fiveXXCount = 0;
    this.noAnswer = [];
    this.noAnswerCount = 0;
  }

  record(kind, status, ms) {
    let k = this.kinds.get(kind);
    if (!k) this.kinds.set(kind, (k = { count: 0, statuses: {}, latencies: [] }));
    k.count++;
    k.statuses[status] = (k.statuses[status] ?? 0) + 1;
    k.latencies.push(ms);
    this.statuses[status] = (this.statuses[status] ?? 0) + 1;
  }

  get total() {
    let n = 0;
    for (const k of this.kinds.values()) n += k.count;
    return n;
  }
}

/** The p-th percentile (nearest rank) of an ascending list. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const excerpt = (s, n) => (typeof s === "string" ? (s.length > n ? `${s.slice(0, n)}…` : s) : "");

/** A request and its answer as text, for a report (Authorization left out). */
export function describeExchange(x) {
  const headers = Object.entries(x.headers ?? {}).filter(([k]) => k.toLowerCase() !== "authorization").map(([k, v]) => `${k}: ${v}`);
  return [
    `${x.method} ${x.path} (as ${x.user}, kind ${x.kind}, at +${(x.at / 1000).toFixed(1)} s, ${Math.round(x.ms)} ms)`,
    ...headers.map((h) => `  ${h}`),
    ...(x.body ? excerpt(x.body, 1500).split(/\r?\n/).map((l) => `  | ${l}`) : []),
    `→ ${x.status === 0 ? `no answer: ${x.error}` : x.status}`,
    ...(x.responseHeaders ? x.responseHeaders.map((h) => `  ${h}`) : []),
    ...(x.text ? excerpt(x.text, 1500).split(/\r?\n/).map((l) => `  | ${l}`) : []),
  ].join("\n");
}

/**
 * A client factory bound to a server: http(user).request(kind, method, path,
 * { headers, body }) → { status, headers, text, ms } (status 0: no answer;
 * error says why). Every request is recorded in `stats` (or in `extraStats`
 * when { untimed: true }, used by the settle and check phases).
 */
export function httpClient({ url, stats, timeoutMs, t0 = performance.now() }) {
  return {
    async request(user, kind, method, path, { headers = {}, body, stats: into = stats } = {}) {
      const started = performance.now();
      const all = { Authorization: basicAuth(user.username, user.password), ...headers };
      let status = 0;
      let text = "";
      let resHeaders = new Headers();
      let error;
      try {
        const res = await fetch(url + path, { method, headers: all, body, signal: AbortSignal.timeout(timeoutMs) });
        status = res.status;
        resHeaders = res.headers;
        text = await res.text();
      } catch (e) {
        error = e?.name === "TimeoutError" ? `timed out after ${timeoutMs} ms` : (e?.cause?.message ?? e?.message ?? String(e));
        status = 0;
      }
      const ms = performance.now() - started;
      into.record(kind, status, ms);
      const exchange = { kind, method, path, user: user.username, headers, body, at: started - t0, ms, status, error, text, responseHeaders: [...resHeaders].map(([k, v]) => `${k}: ${v}`) };
      if (status >= 500) {
        stats.fiveXXCount++;
        if (stats.fiveXX.length < KEEP_EXAMPLES) stats.fiveXX.push(exchange);
      } else if (status === 0) {
        stats.noAnswerCount++;
        if (stats.noAnswer.length < KEEP_EXAMPLES) stats.noAnswer.push(exchange);
      }
      return { status, headers: resHeaders, text, ms, error, exchange };
    },
  };
}
