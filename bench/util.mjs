// Small helpers the benchmark's modules share: bounded concurrency,
// percentiles and counts, and a plain-text table.

export const round1 = (x) => Math.round(x * 10) / 10;
export const maxOf = (xs) => (xs.length ? Math.max(...xs) : NaN);
export const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

/** The p-th percentile of an ascending list (nearest rank), NaN if empty. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/** fn over items with at most `limit` calls in flight; rejects with the first error (the others finish first). */
export async function mapLimit(items, limit, fn) {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        await fn(items[i], i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const error = results.find((r) => r.status === "rejected");
  if (error) throw error.reason;
}

/** At most `limit` calls of gate(fn) run at a time; the others wait in order. */
export function semaphore(limit) {
  let active = 0;
  const waiting = [];
  return async (fn) => {
    if (active >= limit) await new Promise((res) => waiting.push(res));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

export function histogramObject(values) {
  const h = {};
  for (const v of values) h[v ?? "(none)"] = (h[v ?? "(none)"] ?? 0) + 1;
  return h;
}
export const histogram = (values) =>
  Object.entries(histogramObject(values)).sort(([x], [y]) => x.localeCompare(y)).map(([k, n]) => `${k}: ${n}`).join(", ");

/** "min 12, median 20, max 31" of a list of counts. */
export function spread(xs) {
  const s = [...xs].sort((x, y) => x - y);
  return s.length ? `min ${s[0]}, median ${percentile(s, 50)}, max ${s.at(-1)}` : "none";
}

/**
 * Requests per client, at least, in a step with more than one client. With
 * two or three (a step of 20 requests for 8 clients), the clients' start
 * together and the last answers' tail were a quarter of the step's clock,
 * and the step's rate was well below what the same requests sustain
 * (2026-12-08: made multigets, 125-168/s in the step, 220-250/s over 3 s).
 */
export const ROUNDS_PER_CLIENT = 8;

/**
 * `items` repeated (in order, cycling) for `c` clients: as given for one
 * client; for more, at least ROUNDS_PER_CLIENT requests per client and a
 * whole number of rounds, so no client idles at the end of the step.
 */
export function forClients(items, c) {
  if (c <= 1 || items.length === 0) return items;
  const n = Math.ceil(Math.max(items.length, ROUNDS_PER_CLIENT * c) / c) * c;
  return Array.from({ length: n }, (_, k) => items[k % items.length]);
}

/** Columns { title, get(row), left? } → aligned text with a rule under the titles. */
export function table(rows, cols) {
  const widths = cols.map((c) => Math.max(c.title.length, ...rows.map((r) => String(c.get(r)).length)));
  const line = (cells) => cells.map((s, i) => (cols[i].left ? String(s).padEnd(widths[i]) : String(s).padStart(widths[i]))).join("  ");
  return [line(cols.map((c) => c.title)), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map((r) => line(cols.map((c) => c.get(r))))].join("\n");
}
