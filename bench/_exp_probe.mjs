import { loadedServer } from "./loaded.mjs";
const N = 2000;
const { srv, auth, base } = await loadedServer({ events: N, tag: "pr" });
const path = new URL(base).pathname;
const tryIt = async (label, body, headers = {}) => {
  const t = performance.now();
  const r = await fetch(base, { method: "REPORT", body, headers: { authorization: auth, depth: "1", "content-type": "application/xml", ...headers } });
  const txt = await r.text();
  console.log(label.padEnd(28), r.status, (performance.now() - t).toFixed(0), "ms", txt.length, "chars", txt.slice(0, 160).replace(/\s+/g, " "));
};
const many = (n) => `<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>${Array.from({ length: n }, (_, j) => `<d:href>${path}ev-${j % N}.ics</d:href>`).join("")}</c:calendar-multiget>`;
console.log("size 40000:", many(40000).length, "size 30000:", many(30000).length);
await tryIt("multiget 2000 (all)", many(2000));
await tryIt("multiget 30000 dup hrefs", many(30000));
await tryIt("multiget 20000 dup hrefs", many(20000));
const big = "x".repeat(3_000_000);
const r0 = await fetch(base, { method: "REPORT", body: big, headers: { authorization: auth, depth: "1", "content-type": "application/xml" } }); console.log("3MB junk", r0.status, (await r0.text()).slice(0, 200));
const r1 = await fetch(base + "big.ics", { method: "PUT", body: big, headers: { authorization: auth, "content-type": "text/calendar" } }); console.log("3MB PUT", r1.status, (await r1.text()).slice(0, 200));
await tryIt("multiget 40000 dup hrefs", many(40000));
const uniq = `<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop>${Array.from({ length: 40000 }, (_, j) => `<d:href>${path}x-${j}.ics</d:href>`).join("")}</c:calendar-multiget>`;
await tryIt("multiget 40000 missing", uniq);
// concurrently, a GET must not wait long
const t = performance.now();
const p = tryIt("multiget 40000 missing (bg)", uniq);
await new Promise((r) => setTimeout(r, 50));
const g0 = performance.now(); const g = await fetch(`${base}ev-1.ics`, { headers: { authorization: auth } }); await g.text(); console.log("GET during", g.status, (performance.now() - g0).toFixed(0), "ms");
await p;
await srv.stop();
