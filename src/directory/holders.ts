// Which calendar-user addresses principals of this server hold, as a PUT that
// schedules promises each recipient's SCHEDULE-STATUS (RFC 6638 §3.2.9): the
// Directory's answer, kept per isolate for a minute, so a meeting's PUT makes
// no call to the global Directory for addresses it asked about lately. Only a
// promise rides on it: the Queue's consumer asks the Directory again when it
// delivers and reports back any status that differs (src/delivery.ts), so a
// stale answer is corrected by the delivery itself. An account change made in
// this isolate forgets every answer at once (src/http/accounts.ts).
import { normalizeAddress } from "../core/directory.js";
import type { Directory } from "./directory.js";

const TTL_MS = 60_000;
/** Addresses remembered at most; past it the oldest go first. */
const MAX_ENTRIES = 10_000;

/** Normalized address → holder's principal id, or null for nobody; with when it expires. */
const known = new Map<string, { holder: string | null; until: number }>();

/** The holders of `addresses` as Directory.holders answers (normalized address → principal id; absent: nobody). */
export async function holdersOf(directory: Pick<DurableObjectStub<Directory>, "holders">, addresses: string[], now = Date.now()): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const ask: string[] = [];
  for (const raw of addresses) {
    const key = normalizeAddress(raw);
    if (key === undefined) continue; // No principal can hold it (Directory.holders skips it too).
    const hit = known.get(key);
    if (hit && hit.until > now) {
      if (hit.holder !== null) out[key] = hit.holder;
    } else ask.push(raw);
  }
  if (ask.length === 0) return out;
  const answer = await directory.holders(ask);
  for (const raw of ask) {
    const key = normalizeAddress(raw)!;
    const holder = answer[key] ?? null;
    if (holder !== null) out[key] = holder;
    known.delete(key);
    known.set(key, { holder, until: now + TTL_MS });
  }
  while (known.size > MAX_ENTRIES) known.delete(known.keys().next().value!);
  return out;
}

/** Forgets every answer: an account was made, changed or removed in this isolate. */
export function forgetHolders(): void {
  known.clear();
}
