// Development probe: PUT throughput at 8 clients by kind of body (plain,
// weekly series, meeting with outside attendees), beside the floor Worker's
// read and write in the same run. `node bench/put-mix.mjs [--requests 400]`.
import { parseArgs } from "node:util";
import { loadedServer, pool } from "./loaded.mjs";
import { FLOOR_VARIANTS, startFloor } from "./floor.mjs";

const { values: opt } = parseArgs({ options: { requests: { type: "string", default: "400" }, events: { type: "string", default: "200" } } });
const R = Number(opt.requests);
const rate = async (n, f) => { const t0 = performance.now(); await pool(n, 8, f); return ((n / (performance.now() - t0)) * 1000).toFixed(0); };

const floor = await startFloor();
const { one, write } = FLOOR_VARIANTS;
const floorRead = await rate(R, async () => (await fetch(floor.url + one.path)).arrayBuffer());
const floorWrite = await rate(R, async () => (await fetch(floor.url + write.path, { method: write.method, body: write.body })).arrayBuffer());
await floor.stop();
console.log(`floor read ${floorRead}/s, write ${floorWrite}/s`);

const t0 = performance.now();
const { srv, base, bodies, send } = await loadedServer({ events: Number(opt.events), tag: "mix" });
console.log(`load ${opt.events} events (a fresh server, 8 clients): ${((Number(opt.events) / (performance.now() - t0)) * 1000).toFixed(0)}/s, server start included`);
try {
  const kinds = {
    plain: bodies.filter((b) => !b.includes("RRULE") && !b.includes("ATTENDEE")),
    series: bodies.filter((b) => b.includes("RRULE") && !b.includes("ATTENDEE")),
    meeting: bodies.filter((b) => b.includes("ATTENDEE")),
    mixed: bodies,
  };
  let k = 0;
  for (const [kind, list] of Object.entries(kinds)) {
    const r = await rate(R, () => { const i = k++; return send(`${base}m-${i}.ics`, { method: "PUT", headers: { "content-type": "text/calendar", "if-none-match": "*" }, body: list[i % list.length].replace(/UID:[^\r\n]*/g, `UID:m-${i}@bench`) }); });
    console.log(`put ${kind.padEnd(8)} ${r}/s (${list.length} bodies)`);
  }
} finally {
  await srv.stop();
}
