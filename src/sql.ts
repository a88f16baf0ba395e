// A small typed wrapper over the Durable Object's synchronous SQLite API.
// Cursors are consumed at once: a cursor read across an await has no
// snapshot isolation.

/** A row as read: columns a query did not select are absent. */
export type Row = Record<string, SqlStorageValue | undefined>;

export class Sql {
  constructor(private readonly sql: SqlStorage) {}

  all<T extends Row = Row>(query: string, ...params: unknown[]): T[] {
    return this.sql.exec(query, ...params).toArray() as unknown as T[];
  }

  one<T extends Row = Row>(query: string, ...params: unknown[]): T | undefined {
    return this.sql.exec(query, ...params).toArray()[0] as unknown as T | undefined;
  }

  run(query: string, ...params: unknown[]): number {
    return this.sql.exec(query, ...params).rowsWritten;
  }
}
