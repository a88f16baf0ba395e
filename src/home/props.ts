// Dead and writable live properties of the home, the principal, collections
// and objects (RFC 4918 §9.2 PROPPATCH), stored as whole elements. A change
// to a collection's properties moves its sync token and ctag. Stored
// properties count toward the home's quota (RFC 4331): triggers on the props
// table keep used_bytes exact however a row comes or goes (schema.ts), and
// a change is checked here, in the caller's transaction, against the caps of
// src/core/props/limits.ts and the quota before anything is written.
import { DavError } from "../core/errors.js";
import { growth, overflows, propBytes, type SizedChange, type SizedProp } from "../core/props/limits.js";
import type { PropMap } from "../core/model.js";
import type { XmlElement } from "../core/xml/tree.js";
import { collectionRow, objectMeta, scopes } from "./rows.js";
import type { Sql } from "../sql.js";
import { checkQuota, fitsQuota, nextRev, touchCollection } from "./writes.js";
import { mountNamed } from "./sharing.js";

export type PropTarget =
  | { scope: "home" }
  | { scope: "principal" }
  | { scope: "collection"; collection: string }
  | { scope: "object"; collection: string; name: string }
  /** A sharee's own properties of a calendar shared with it (displayname, colour: home/sharing.ts). */
  | { scope: "mount"; mount: string };

/** A validated property change: a value to store, or null to remove. */
export interface PropChange {
  name: string;
  value: XmlElement | null;
}

/** Why a change was not made: the properties that do not fit, and whether the home's quota is the reason. */
export interface PropsRefused {
  names: string[];
  quota: boolean;
}

function resolveScope(sql: Sql, t: PropTarget): { scope: string; collectionId?: number } {
  if (t.scope === "home" || t.scope === "principal") return { scope: scopes[t.scope] };
  if (t.scope === "mount") {
    if (!mountNamed(sql, t.mount)) throw new DavError(404, { description: "no such collection" });
    return { scope: scopes.mount(t.mount) };
  }
  const c = collectionRow(sql, t.collection);
  if (!c) throw new DavError(404, { description: "no such collection" });
  if (t.scope === "collection") return { scope: scopes.collection(c.id), collectionId: c.id };
  if (!objectMeta(sql, c.id, t.name)) throw new DavError(404, { description: "no such resource" });
  return { scope: scopes.object(c.id, t.name), collectionId: c.id };
}

/** The stored properties of a scope with their octets, measured as propBytes measures them. */
function storedSizes(sql: Sql, scope: string): SizedProp[] {
  return sql.all<{ name: string; bytes: number }>(
    "SELECT name, length(CAST(name AS BLOB)) + length(CAST(value AS BLOB)) AS bytes FROM props WHERE scope = ?", scope,
  );
}

const sized = (changes: PropChange[]): SizedChange[] =>
  changes.map((c) => ({ name: c.name, bytes: c.value === null ? null : propBytes(c.name, c.value) }));

/** Applies validated changes unless one would pass a cap or the quota; runs inside the caller's transaction. */
export function applyPropChanges(sql: Sql, target: PropTarget, changes: PropChange[], now: number, quota: number): PropsRefused | null {
  const { scope, collectionId } = resolveScope(sql, target);
  const stored = storedSizes(sql, scope);
  const proposed = sized(changes);
  const over = overflows(stored, proposed);
  if (over.size > 0) return { names: [...over.keys()], quota: false };
  const delta = growth(stored, proposed);
  if (!fitsQuota(sql, delta, quota)) {
    const before = new Map(stored.map((p) => [p.name, p.bytes]));
    return { names: proposed.filter((c) => c.bytes !== null && c.bytes > (before.get(c.name) ?? 0)).map((c) => c.name), quota: true };
  }
  for (const c of changes) {
    if (c.value === null) sql.run("DELETE FROM props WHERE scope = ? AND name = ?", scope, c.name);
    // An upsert, not INSERT OR REPLACE: REPLACE deletes without firing the delete trigger, and used_bytes would drift.
    else sql.run("INSERT INTO props (scope, name, value) VALUES (?, ?, ?) ON CONFLICT (scope, name) DO UPDATE SET value = excluded.value", scope, c.name, JSON.stringify(c.value));
  }
  // Property changes move the collection's sync token and ctag (clients expect it; RFC 6578 allows it).
  if (collectionId !== undefined) touchCollection(sql, collectionId, nextRev(sql), now);
  return null;
}

/** The initial properties of a new collection (MKCOL, MKCALENDAR) must fit the quota; their caps were checked by planPatch. */
export function checkNewProps(sql: Sql, props: PropMap, quota: number): void {
  let bytes = 0;
  for (const [name, value] of Object.entries(props)) bytes += propBytes(name, value);
  checkQuota(sql, bytes, quota);
}
