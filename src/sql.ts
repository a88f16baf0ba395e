// A small typed wrapper over the Durable Object's synchronous SQLite API.
// Cursors are consumed at once: a cursor read across an await has no
// snapshot isolation.

/** A row as read: columns a query did not select are absent. */
export type Row = Record<string, SqlStorageValue | undefined>;

/** A statement that cannot write: a plain SELECT. Anything else counts as a write. */
const READ = /^\s*SELECT\b/i;

export class Sql {
  private writes = 0;
  /** A statement matching `watch` may have written since takeWatched() was last asked (true at first: unknown). */
  private watched = true;

  /** `watch`: writes its owner wants to hear of (the home's pending work: outbox, garbage, ...), see takeWatched. */
  constructor(private readonly sql: SqlStorage, private readonly watch?: RegExp) {}

  /**
   * Changes whenever a statement that may write is run (counted before it runs, whether it commits or not), so
   * something read at one version is still what the database holds while the version is the same.
   */
  get version(): number {
    return this.writes;
  }

  all<T extends Row = Row>(query: string, ...params: unknown[]): T[] {
    this.note(query);
    return rowsOf(this.sql.exec(query, ...params)) as T[];
  }

  one<T extends Row = Row>(query: string, ...params: unknown[]): T | undefined {
    this.note(query);
    return rowsOf(this.sql.exec(query, ...params))[0] as T | undefined;
  }

  run(query: string, ...params: unknown[]): number {
    this.note(query);
    return this.sql.exec(query, ...params).rowsWritten;
  }

  /** Whether a watched statement ran since the last call (or ever, on the first): then the owner looks at what it wrote. */
  takeWatched(): boolean {
    const w = this.watched;
    this.watched = false;
    return w;
  }

  private note(query: string): void {
    if (READ.test(query)) return;
    this.writes++;
    if (this.watch?.test(query)) this.watched = true;
  }
}

/**
 * Every row of a cursor (consumed at once) as an object keyed by column name, as toArray() makes them, but built here
 * from raw() arrays: workerd's toArray() is slow at making row objects. Timed in a home of 2,000 events
 * (2026-12-07): the 2,000 rows of a listing 3.6 ms against 6.5-6.9, a multiget's 100 rows with bodies 0.58 against
 * 0.81-0.87.
 */
function rowsOf(cursor: SqlStorageCursor<Record<string, SqlStorageValue>>): Row[] {
  const names = cursor.columnNames;
  const rows: Row[] = [];
  for (const values of cursor.raw()) {
    const row: Row = {};
    for (let i = 0; i < names.length; i++) row[names[i]!] = values[i];
    rows.push(row);
  }
  return rows;
}

/**
 * A value read from the database, kept while no statement that may write has run since (Sql.version): what every
 * request of a home reads first (its epoch, its collections) is read once per change, not once per request.
 */
export class Unchanged<T> {
  private version = -1;
  private value: T | undefined;

  constructor(private readonly sql: Sql, private readonly read: () => T) {}

  get(): T {
    if (this.version !== this.sql.version || this.value === undefined) {
      const version = this.sql.version;
      this.value = this.read();
      this.version = version;
    }
    return this.value;
  }
}
