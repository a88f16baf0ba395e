// The calendar home's SQLite schema, applied in order behind a version row.
// Collections, object index rows, dead properties, deletion tombstones for
// sync-collection (RFC 6578), and the bookkeeping that keeps R2 bodies and
// rows consistent (pending uploads, garbage). Append new migrations; never
// edit one that has shipped.
import type { Sql } from "../sql.js";
import { INFINITE_SPAN } from "./rows.js";

const MIGRATIONS: string[] = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE collections (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     name TEXT NOT NULL UNIQUE,
     kind TEXT NOT NULL,
     components TEXT NOT NULL,
     rev INTEGER NOT NULL,
     -- tokens older than this revision can no longer be answered (tombstones pruned)
     sync_floor INTEGER NOT NULL DEFAULT 0,
     created INTEGER NOT NULL,
     modified INTEGER NOT NULL
   );
   CREATE TABLE objects (
     collection_id INTEGER NOT NULL,
     name TEXT NOT NULL,
     uid TEXT NOT NULL,
     component TEXT NOT NULL,
     etag TEXT NOT NULL,
     schedule_tag TEXT,
     size INTEGER NOT NULL,
     body_key TEXT NOT NULL,
     rev INTEGER NOT NULL,
     created INTEGER NOT NULL,
     modified INTEGER NOT NULL,
     start_ms INTEGER,
     end_ms INTEGER,
     recurring INTEGER NOT NULL,
     floating INTEGER NOT NULL,
     -- 1 when [start_ms, end_ms) is exactly one instance's span (RFC 4791 §9.9 decidable without the body)
     exact INTEGER NOT NULL DEFAULT 0,
     -- RFC 6638 scheduling snapshot (JSON) of a scheduling object resource, else NULL
     snapshot TEXT,
     -- recurring events: instances are indexed up to this instant (NULL: no instance index)
     inst_until INTEGER,
     PRIMARY KEY (collection_id, name)
   ) WITHOUT ROWID;
   CREATE TABLE instances (
     collection_id INTEGER NOT NULL,
     name TEXT NOT NULL,
     start_ms INTEGER NOT NULL,
     end_ms INTEGER NOT NULL
   );
   CREATE INDEX instances_object ON instances (collection_id, name, start_ms);
   CREATE INDEX objects_home_uid ON objects (uid);
   CREATE UNIQUE INDEX objects_uid ON objects (collection_id, uid);
   CREATE INDEX objects_rev ON objects (collection_id, rev);
   CREATE INDEX objects_time ON objects (collection_id, component, start_ms);
   CREATE INDEX objects_body ON objects (body_key);
   CREATE TABLE tombstones (
     collection_id INTEGER NOT NULL,
     name TEXT NOT NULL,
     rev INTEGER NOT NULL,
     deleted_at INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (collection_id, name)
   ) WITHOUT ROWID;
   CREATE INDEX tombstones_rev ON tombstones (collection_id, rev);
   CREATE INDEX tombstones_age ON tombstones (deleted_at);
   CREATE TABLE props (
     scope TEXT NOT NULL,
     name TEXT NOT NULL,
     value TEXT NOT NULL,
     PRIMARY KEY (scope, name)
   ) WITHOUT ROWID;
   CREATE TABLE pending_bodies (key TEXT PRIMARY KEY, created INTEGER NOT NULL) WITHOUT ROWID;
   CREATE TABLE garbage (key TEXT PRIMARY KEY, due INTEGER NOT NULL) WITHOUT ROWID;
   -- iTIP messages committed with the change that caused them, until the Queue has them
   CREATE TABLE outbox (id TEXT PRIMARY KEY, created INTEGER NOT NULL, payload TEXT NOT NULL) WITHOUT ROWID;
   -- inbound iTIP messages already applied (redelivery is a no-op)
   CREATE TABLE itip_applied (id TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID;
   CREATE INDEX itip_applied_at ON itip_applied (at);
   -- messages for calendar users outside this server, kept for e-mail delivery (iMIP)
   CREATE TABLE email_outbox (id TEXT PRIMARY KEY, created INTEGER NOT NULL, payload TEXT NOT NULL) WITHOUT ROWID;
   -- organizer copies whose other attendees are to be told about merged replies, batched (RFC 6638 §4.2)
   CREATE TABLE refresh_pending (uid TEXT PRIMARY KEY, due INTEGER NOT NULL, rids TEXT NOT NULL) WITHOUT ROWID;`,
  // v2: stored properties count toward the quota (RFC 4331): used_bytes follows every row of props, however
  // it is written or deleted (PROPPATCH, MKCOL, COPY, MOVE, DELETE), as the octets of its name and value.
  // Existing rows are counted once here. (An INSERT OR REPLACE that replaces fires no delete trigger:
  // write props with an upsert.)
  `UPDATE meta SET value = CAST(value AS INTEGER)
     + (SELECT COALESCE(SUM(length(CAST(name AS BLOB)) + length(CAST(value AS BLOB))), 0) FROM props) WHERE key = 'used_bytes';
   CREATE TRIGGER props_used_insert AFTER INSERT ON props BEGIN
     UPDATE meta SET value = CAST(value AS INTEGER) + length(CAST(NEW.name AS BLOB)) + length(CAST(NEW.value AS BLOB)) WHERE key = 'used_bytes';
   END;
   CREATE TRIGGER props_used_update AFTER UPDATE ON props BEGIN
     UPDATE meta SET value = max(0, CAST(value AS INTEGER)
       + length(CAST(NEW.name AS BLOB)) + length(CAST(NEW.value AS BLOB)) - length(CAST(OLD.name AS BLOB)) - length(CAST(OLD.value AS BLOB)))
     WHERE key = 'used_bytes';
   END;
   CREATE TRIGGER props_used_delete AFTER DELETE ON props BEGIN
     UPDATE meta SET value = max(0, CAST(value AS INTEGER) - length(CAST(OLD.name AS BLOB)) - length(CAST(OLD.value AS BLOB))) WHERE key = 'used_bytes';
   END;`,
  // v3: everything else a user can make the server keep counts toward the quota (RFC 4331): an object's scheduling
  // state beside its body, message bodies staged in R2 once for many recipients, messages kept for e-mail.
  `ALTER TABLE objects ADD COLUMN state_bytes INTEGER NOT NULL DEFAULT 0;
   UPDATE objects SET state_bytes = COALESCE(LENGTH(snapshot), 0)
     + 16 * (SELECT COUNT(*) FROM instances i WHERE i.collection_id = objects.collection_id AND i.name = objects.name);
   -- iTIP bodies in R2 under itip/<epoch>/..., shared by the messages that reference them, deleted when expired
   CREATE TABLE itip_bodies (key TEXT PRIMARY KEY, size INTEGER NOT NULL, expires INTEGER NOT NULL) WITHOUT ROWID;
   CREATE INDEX itip_bodies_expires ON itip_bodies (expires);
   ALTER TABLE email_outbox ADD COLUMN body_key TEXT;
   ALTER TABLE email_outbox ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
   UPDATE email_outbox SET bytes = LENGTH(payload);
   CREATE INDEX email_outbox_body ON email_outbox (body_key);
   UPDATE meta SET value = CAST(value AS INTEGER) + (SELECT COALESCE(SUM(state_bytes), 0) FROM objects)
     + (SELECT COALESCE(SUM(bytes), 0) FROM email_outbox) WHERE key = 'used_bytes';`,
  // v4: the order of merged replies (RFC 5546 §2.1.5) is the server's bookkeeping: kept here, not in the bodies
  // clients read (it was an X- parameter on ATTENDEE). One row per organizer copy, instance ("" = master) and Attendee.
  `CREATE TABLE reply_stamps (uid TEXT NOT NULL, rid TEXT NOT NULL, attendee TEXT NOT NULL, stamp TEXT NOT NULL,
     PRIMARY KEY (uid, rid, attendee)) WITHOUT ROWID;`,
  // v5: the scheduling inbox keeps every message (RFC 6638 §2.2), several of one UID: one UID per resource stays
  // the rule of calendars (RFC 4791 §5.3.2.1 no-uid-conflict), checked where objects are written (writes.ts).
  `DROP INDEX objects_uid;
   CREATE INDEX objects_uid ON objects (collection_id, uid);`,
  // v6: a body small enough lives in its row (bodies.ts): a report reads it with the index in one round trip.
  // body_key is '' for those; bodies already in R2 stay there until the row is next written or moved in (bodies.ts).
  `ALTER TABLE objects ADD COLUMN body TEXT;`,
  // v7: free-busy from the index (RFC 4791 §7.10): the busy time of an event (summary.ts IndexedBusy) and of each
  // indexed instance (component.ts BusyCode). NULL in rows written before: their bodies are read, as before.
  `ALTER TABLE objects ADD COLUMN busy INTEGER;
   ALTER TABLE instances ADD COLUMN busy INTEGER;`,
  // v8: imports of .ics files (imports.ts): one row per job with its progress and its cursor in the staged chunks
  // (R2 keys, JSON), and the objects it skipped with the reason. Kept after the job ends for its summary.
  `CREATE TABLE import_jobs (id TEXT PRIMARY KEY, collection TEXT NOT NULL, mode TEXT NOT NULL, total INTEGER NOT NULL,
     done INTEGER NOT NULL DEFAULT 0, imported INTEGER NOT NULL DEFAULT 0, replaced INTEGER NOT NULL DEFAULT 0,
     chunks TEXT NOT NULL, chunk INTEGER NOT NULL DEFAULT 0, position INTEGER NOT NULL DEFAULT 0,
     created INTEGER NOT NULL, finished INTEGER) WITHOUT ROWID;
   CREATE TABLE import_skips (job TEXT NOT NULL, seq INTEGER NOT NULL, uid TEXT NOT NULL, reason TEXT NOT NULL,
     PRIMARY KEY (job, seq)) WITHOUT ROWID;`,
  // v9: calendar sharing (calendarserver-sharing, home/sharing.ts). An owner's home keeps its calendars' sharees
  // (the authority on access); a sharee's home keeps pointers to calendars shared with it and its notifications.
  `CREATE TABLE shares (collection_id INTEGER NOT NULL, sharee TEXT NOT NULL, access TEXT NOT NULL, status TEXT NOT NULL,
     uid TEXT NOT NULL, summary TEXT NOT NULL, created INTEGER NOT NULL, PRIMARY KEY (collection_id, sharee)) WITHOUT ROWID;
   CREATE TABLE mounts (name TEXT PRIMARY KEY, owner TEXT NOT NULL, calendar TEXT NOT NULL, uid TEXT NOT NULL, created INTEGER NOT NULL) WITHOUT ROWID;
   CREATE UNIQUE INDEX mounts_target ON mounts (owner, calendar);
   CREATE TABLE notifications (name TEXT PRIMARY KEY, uid TEXT NOT NULL UNIQUE, type TEXT NOT NULL, body TEXT NOT NULL,
     etag TEXT NOT NULL, created INTEGER NOT NULL) WITHOUT ROWID;`,
  // v10: delegation (calendar-proxy, home/delegation.ts). A delegator's home keeps the members of its two proxy
  // groups (the authority on access); a delegate's home keeps pointers for its calendar-proxy-*-for properties.
  `CREATE TABLE proxies (kind TEXT NOT NULL, member TEXT NOT NULL, created INTEGER NOT NULL, PRIMARY KEY (kind, member)) WITHOUT ROWID;
   CREATE TABLE proxy_for (delegator TEXT NOT NULL, kind TEXT NOT NULL, created INTEGER NOT NULL, PRIMARY KEY (delegator, kind)) WITHOUT ROWID;`,
  // v11: a time-range query (RFC 4791 §9.9) finds which rows can overlap from this index alone (it holds every
  // column of the test, and the name), then reads just those rows (home/query.ts candidates): rows carry their
  // bodies, so a scan of the table to test two columns read every page of the calendar. It begins as objects_time
  // did, which it replaces (one index more to write on every PUT cost as much as it saved).
  `CREATE INDEX objects_span ON objects (collection_id, component, start_ms, end_ms, inst_until);
   DROP INDEX objects_time;`,
  // v12: the non-recurring members of a collection are looked for in a time range from a lower bound on their start
  // (the range's start less the collection's longest span, collections.max_span), so the cost of a range follows the
  // members near it, not every member that starts before it (home/query.ts). The index puts `recurring` before
  // `start_ms` for that; it replaces objects_span.
  `ALTER TABLE collections ADD COLUMN max_span INTEGER NOT NULL DEFAULT 0;
   UPDATE collections SET max_span = COALESCE((SELECT MAX(CASE WHEN end_ms IS NULL THEN ${INFINITE_SPAN} ELSE end_ms - start_ms END)
     FROM objects WHERE collection_id = collections.id AND recurring = 0 AND start_ms IS NOT NULL), 0);
   CREATE INDEX objects_range ON objects (collection_id, component, recurring, start_ms, end_ms, inst_until);
   DROP INDEX objects_span;`,
  // v13: a refresh of a meeting a read-write sharee organizes in this home's shared calendar (hosted.ts) goes out as
  // that sharee's: the sharee is noted with the round (NULL: the home's principal's own meeting).
  `ALTER TABLE refresh_pending ADD COLUMN sharee TEXT;`,
  // v14: RSVP links used (src/mail/rsvp.ts), by message id: each answers once. The table was made on first use before
  // (IF NOT EXISTS keeps those homes' rows); rows older than a link's lifetime are forgotten by gc.ts.
  `CREATE TABLE IF NOT EXISTS imip_rsvp_used (id TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID;
   CREATE INDEX IF NOT EXISTS imip_rsvp_used_at ON imip_rsvp_used (at);`,
  // v15: two indexes fewer to write on every PUT and DELETE. objects_uid (collection_id, uid) repeated objects_home_uid
  // (uid), which carries the primary key (collection_id, name) and so answers a UID within a collection as well. Most
  // bodies live in their rows (v6, body_key ''), so objects_body keeps only the rows whose body is in R2: every
  // lookup by key says body_key != '' so SQLite may use it.
  `DROP INDEX objects_uid;
   DROP INDEX objects_body;
   CREATE INDEX objects_body ON objects (body_key) WHERE body_key != '';`,
  // v16: 1 when the object's instance spans are exact (core/query/instance-index.ts InstanceIndex.exact): a
  // time-range query the index decides then needs no body of a recurring event. Rows written before stay 0 (their
  // bodies are read, as before) until their next write.
  `ALTER TABLE objects ADD COLUMN inst_exact INTEGER NOT NULL DEFAULT 0;`,
];

export function migrate(sql: Sql): void {
  sql.run("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  const row = sql.one<{ version: number }>("SELECT version FROM schema_version");
  let version = row?.version ?? 0;
  if (!row) sql.run("INSERT INTO schema_version (version) VALUES (0)");
  for (; version < MIGRATIONS.length; version++) {
    sql.run(MIGRATIONS[version]!);
    sql.run("UPDATE schema_version SET version = ?", version + 1);
  }
}
