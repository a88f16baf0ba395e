// A read-mostly mirror of the public principal records in KV, for principal
// searches (RFC 3744 §9.4), which tolerate its eventual consistency (a new
// user shows up in searches within about a minute). Everything that must be
// exact (login, ownership, delivery) asks the Directory object instead.
import type { Principal } from "../core/model.js";

const PREFIX = "principal:";

/** Metadata is returned by list(), so one list call reads every record (metadata holds up to 1 KB). */
type Meta = Principal;

export async function mirrorPrincipal(kv: KVNamespace, id: string, p: Principal | null): Promise<void> {
  if (p === null) await kv.delete(PREFIX + id);
  else await kv.put(PREFIX + id, "", { metadata: compact(p) });
}

function compact(p: Principal): Meta {
  // Keep the metadata under KV's 1,024-byte limit.
  const out: Meta = { id: p.id, displayName: p.displayName.slice(0, 200), type: p.type, addresses: [] };
  for (const a of p.addresses) {
    if (JSON.stringify(out).length + a.length + 3 > 1000) break;
    out.addresses.push(a);
  }
  return out;
}

/** Every mirrored principal, or null when the mirror is empty (then ask the directory). */
export async function cachedPrincipals(kv: KVNamespace): Promise<Principal[] | null> {
  const out: Principal[] = [];
  let cursor: string | undefined;
  do {
    const page: KVNamespaceListResult<Meta> = await kv.list<Meta>({ prefix: PREFIX, ...(cursor ? { cursor } : {}) });
    for (const k of page.keys) if (k.metadata) out.push(k.metadata);
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return out.length ? out : null;
}
