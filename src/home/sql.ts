// A small typed wrapper over the Durable Object's synchronous SQLite API.
// Cursors are consumed at once: a cursor read across an await has no
// snapshot isolation.

export type Row = Record<string, SqlStorageValue>;

export class Sql {
  constructor(private readonly sql: SqlStorage) {}

  all<T extends Row = Row>(query: string, ...params: unknown[]): T[] {
    return this.sql.exec<T>(query, ...params).toArray();
  }

  one<T extends Row = Row>(query: string, ...params: unknown[]): T | undefined {
    return this.sql.exec<T>(query, ...params).toArray()[0];
  }

  run(query: string, ...params: unknown[]): number {
    return this.sql.exec(query, ...params).rowsWritten;
  }
}
