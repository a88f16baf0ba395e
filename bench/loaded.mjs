// A server started like `npm start` (bench/server.mjs) holding one user's
// calendar of N events from the benchmark's workload (bench/workload.mjs),
// for the tools that measure one kind of request at a time: bench/cpu.mjs
// and bench/profile.mjs.
import { addUser, basicAuth, startServer } from "./server.mjs";
import { makeCalendar, prng, spanOf, toIcs } from "./workload.mjs";

/** Runs f(0..n-1) with c in flight. */
export async function pool(n, c, f) {
  let k = 0;
  await Promise.all(Array.from({ length: c }, async () => { while (k < n) await f(k++); }));
}

/**
 * Starts the server (from `dir`, another checkout, if given), adds alice and PUTs `events` events as
 * <base>ev-<i>.ics, 8 at a time. Returns { srv, auth, base, bodies, send, xml }: `send` fails on any status >= 300.
 */
export async function loadedServer({ events, tag, dir, echo = false }) {
  const srv = await startServer({ snapshot: true, echo, ...(dir ? { dir } : {}) });
  try {
    await addUser(srv, "alice", { password: "pw-alice-123456", emails: ["alice@example.com"] });
    const auth = basicAuth("alice", "pw-alice-123456");
    const base = `${srv.url}/calendars/alice/calendar/`;
    const bodies = makeCalendar(prng(2026), events, { tag, email: "alice@example.com", span: spanOf(events) }).events.map((e) => toIcs(e));
    const send = async (url, init) => {
      const r = await fetch(url, { ...init, headers: { authorization: auth, ...init?.headers } });
      await r.arrayBuffer();
      if (r.status >= 300) throw new Error(`${init?.method ?? "GET"} ${url}: ${r.status}`);
    };
    await pool(events, 8, (i) => send(`${base}ev-${i}.ics`, { method: "PUT", headers: { "content-type": "text/calendar", "if-none-match": "*" }, body: bodies[i] }));
    const xml = (depth, body) => ({ headers: { depth, "content-type": "application/xml" }, body });
    return { srv, auth, base, bodies, send, xml };
  } catch (e) {
    await srv.stop();
    throw e;
  }
}
