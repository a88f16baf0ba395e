// src/sql.ts reads rows through the cursor's raw() arrays and names their
// columns itself (workerd's toArray() is slow at making row objects): every
// statement of the homes and the Directory reads its rows this way, so they
// must be exactly what toArray() gives, for every SQLite storage class.
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Sql } from "../../src/sql.js";
import { homeStub } from "../helpers/caldav.js";

describe("Sql rows (src/sql.ts): as workerd's toArray() makes them", () => {
  it("keys every column by its name, for INTEGER, REAL, TEXT, BLOB and NULL, in order, and consumes writes", async () => {
    await runInDurableObject(homeStub(`sql-rows-${crypto.randomUUID()}`), (_: unknown, state: DurableObjectState) => {
      const raw = state.storage.sql;
      const sql = new Sql(raw);
      raw.exec("CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n TEXT)");
      sql.run("INSERT INTO t VALUES (1, 2.5, 'ä\r\nx', X'00ff', NULL), (2, -0.0, '', X'', 'y')");
      const query = "SELECT i, r, s, b, n, i + 1 AS next FROM t ORDER BY i";
      const want = raw.exec(query).toArray();
      const got = sql.all(query);
      expect(got).toEqual(want);
      expect(got.map((row) => Object.keys(row))).toEqual(want.map((row) => Object.keys(row)));
      expect(sql.one(query)).toEqual(want[0]);
      expect(sql.one("SELECT i FROM t WHERE i > 5")).toBeUndefined();
      expect(sql.all("SELECT i FROM t WHERE i > 5")).toEqual([]);
      // A statement read through one() runs to its end: both rows are written, and both returned ids are there to read.
      expect(sql.one<{ i: number }>("INSERT INTO t (i) VALUES (3), (4) RETURNING i")?.i).toBe(3);
      expect(raw.exec("SELECT count(*) AS c FROM t WHERE i >= 3").one().c).toBe(2);
    });
  });
});
