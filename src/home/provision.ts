// First-use provisioning of a calendar home: a default calendar (VEVENT), a
// default task list (VTODO), and the schedule inbox and outbox (RFC 6638
// section 2.2, 2.1). Runs once, inside the schema transaction.
import type { CollectionKind, PropMap } from "../core/model.js";
import { dav } from "../core/xml/names.js";
import { el } from "../core/xml/tree.js";
import { meta, scopes, setMeta } from "./rows.js";
import type { Sql } from "../sql.js";

import { DEFAULT_CALENDAR, INBOX, OUTBOX } from "../core/props/schedule.js";

export { DEFAULT_CALENDAR, INBOX, OUTBOX };
export const DEFAULT_TASKS = "tasks";

interface Seed {
  name: string;
  kind: CollectionKind;
  components: string[];
  displayName: string;
}

const SEEDS: Seed[] = [
  { name: DEFAULT_CALENDAR, kind: "calendar", components: ["VEVENT"], displayName: "Calendar" },
  { name: DEFAULT_TASKS, kind: "calendar", components: ["VTODO"], displayName: "Tasks" },
  { name: INBOX, kind: "inbox", components: ["VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY"], displayName: "Inbox" },
  { name: OUTBOX, kind: "outbox", components: ["VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY"], displayName: "Outbox" },
];

export function provision(sql: Sql, now: number): void {
  if (meta(sql, "epoch")) return;
  setMeta(sql, "epoch", crypto.randomUUID().replaceAll("-", "").slice(0, 12));
  setMeta(sql, "rev", 0);
  setMeta(sql, "used_bytes", 0);
  setMeta(sql, "created", now);
  for (const s of SEEDS) insertCollection(sql, s.name, s.kind, s.components, { [dav("displayname")]: el(dav("displayname"), [s.displayName]) }, now);
}

export function insertCollection(sql: Sql, name: string, kind: CollectionKind, components: string[], props: PropMap, now: number): number {
  const rev = Number(meta(sql, "rev") ?? 0) + 1;
  setMeta(sql, "rev", rev);
  const row = sql.one<{ id: number }>(
    "INSERT INTO collections (name, kind, components, rev, created, modified) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    name, kind, JSON.stringify(components), rev, now, now,
  )!;
  for (const [propName, value] of Object.entries(props))
    sql.run("INSERT INTO props (scope, name, value) VALUES (?, ?, ?)", scopes.collection(row.id), propName, JSON.stringify(value));
  return row.id;
}
