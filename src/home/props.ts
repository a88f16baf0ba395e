// Dead and writable live properties of the home, the principal, collections
// and objects (RFC 4918 §9.2 PROPPATCH), stored as whole elements. A change
// to a collection's properties moves its sync token and ctag.
import { DavError } from "../core/errors.js";
import type { XmlElement } from "../core/xml/tree.js";
import { collectionRow, objectRow, scopes } from "./rows.js";
import type { Sql } from "./sql.js";
import { nextRev, touchCollection } from "./writes.js";

export type PropTarget =
  | { scope: "home" }
  | { scope: "principal" }
  | { scope: "collection"; collection: string }
  | { scope: "object"; collection: string; name: string };

/** A validated property change: a value to store, or null to remove. */
export interface PropChange {
  name: string;
  value: XmlElement | null;
}

function resolveScope(sql: Sql, t: PropTarget): { scope: string; collectionId?: number } {
  if (t.scope === "home" || t.scope === "principal") return { scope: scopes[t.scope] };
  const c = collectionRow(sql, t.collection);
  if (!c) throw new DavError(404, { description: "no such collection" });
  if (t.scope === "collection") return { scope: scopes.collection(c.id), collectionId: c.id };
  if (!objectRow(sql, c.id, t.name)) throw new DavError(404, { description: "no such resource" });
  return { scope: scopes.object(c.id, t.name), collectionId: c.id };
}

/** Applies validated changes; runs inside the caller's transaction. */
export function applyPropChanges(sql: Sql, target: PropTarget, changes: PropChange[], now: number): void {
  const { scope, collectionId } = resolveScope(sql, target);
  for (const c of changes) {
    if (c.value === null) sql.run("DELETE FROM props WHERE scope = ? AND name = ?", scope, c.name);
    else sql.run("INSERT OR REPLACE INTO props (scope, name, value) VALUES (?, ?, ?)", scope, c.name, JSON.stringify(c.value));
  }
  // Property changes move the collection's sync token and ctag (clients expect it; RFC 6578 allows it).
  if (collectionId !== undefined) touchCollection(sql, collectionId, nextRev(sql), now);
}
