// The floor Worker (bench/floor.mjs measures it): one fetch, one Durable
// Object RPC, one SQLite statement. GET /one reads one row (stands for a GET
// or a small report); GET /rows100 reads 100 rows in the same one RPC
// (stands for a multiget of 100); PUT /write stores its body as one row
// (stands for a PUT or DELETE: one small SQLite write, committed before the
// answer). The rows are ~1 KB of filler until PUT /rows (a JSON array of up
// to 100 strings) replaces them: the benchmark puts there calendar bodies of
// its own workload, so the floor reads and sends what our server does.
// Nothing else: no auth, no XML.
import { DurableObject } from "cloudflare:workers";

const ROWS = 100;
const ROW_BYTES = 1024;

export class Floor extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
    if (sql.exec("SELECT count(*) AS n FROM rows").one().n < ROWS)
      for (let id = 1; id <= ROWS; id++) sql.exec("INSERT OR REPLACE INTO rows (id, body) VALUES (?, ?)", id, `row ${id} `.padEnd(ROW_BYTES, "x"));
  }

  /** The first `n` rows' bodies, joined by newlines. */
  read(n) {
    return this.ctx.storage.sql.exec("SELECT body FROM rows ORDER BY id LIMIT ?", Math.min(n, ROWS)).toArray().map((r) => r.body).join("\n");
  }

  /** Replaces the read rows with `bodies` (at most ROWS); returns how many. */
  seed(bodies) {
    const sql = this.ctx.storage.sql;
    const rows = bodies.slice(0, ROWS);
    sql.exec("DELETE FROM rows WHERE id <= ?", ROWS);
    rows.forEach((body, i) => sql.exec("INSERT INTO rows (id, body) VALUES (?, ?)", i + 1, String(body)));
    return rows.length;
  }

  /** Stores `body` as row `id` (above the read rows); returns its length. */
  write(id, body) {
    this.ctx.storage.sql.exec("INSERT OR REPLACE INTO rows (id, body) VALUES (?, ?)", ROWS + 1 + (id % 1000), body);
    return body.length;
  }
}

export default {
  async fetch(request, env) {
    const stub = env.FLOOR.get(env.FLOOR.idFromName("floor"));
    if (request.method === "PUT" && new URL(request.url).pathname === "/rows") {
      const n = await stub.seed(await request.json());
      return new Response(null, { status: 204, headers: { "X-Rows": String(n) } });
    }
    if (request.method === "PUT") {
      const n = await stub.write(Math.floor(Math.random() * 1e6), await request.text());
      return new Response(null, { status: 201, headers: { ETag: `"${n}"` } });
    }
    const n = new URL(request.url).pathname === "/rows100" ? ROWS : 1;
    const body = await stub.read(n);
    return new Response(body, { headers: { "Content-Type": "text/plain; charset=utf-8" } });
  },
};
