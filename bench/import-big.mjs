// Imports one large .ics (20,000 events, about 11.6 MB: the size the README
// promises) through the web page on a server started the README way: signs
// in with the form, uploads with the page's CSRF token, polls the progress
// the page's script polls, then counts the calendar's members by PROPFIND.
// `npm run bench:import` (N=<events> to change the size). See README
// "Import, export and subscription URLs".
const { startServer, addUser, basicAuth } = await import("./server.mjs");
const W = await import("./workload.mjs");
const N = Number(process.env.N ?? 20000);
const { events } = W.makeCalendar(W.prng(7), N, { tag: "imp", email: "ann@example.com", span: W.spanOf(N) });
const zones = new Map(); const parts = [];
for (const e of events) {
  const t = W.toIcs(e);
  const inner = t.replace(/^BEGIN:VCALENDAR\r\n[\s\S]*?(?=BEGIN:V(EVENT|TIMEZONE))/, "").replace(/END:VCALENDAR\r\n$/, "");
  for (const m of inner.matchAll(/BEGIN:VTIMEZONE\r\n[\s\S]*?END:VTIMEZONE\r\n/g)) { const id = /TZID:([^\r\n]*)/.exec(m[0])[1]; zones.set(id, m[0]); }
  parts.push(inner.replace(/BEGIN:VTIMEZONE\r\n[\s\S]*?END:VTIMEZONE\r\n/g, "").replace(/END:VEVENT\r\n/g, `DESCRIPTION:${"Agenda item and notes for the meeting, ".repeat(6).trim()}\r\nEND:VEVENT\r\n`));
}
const file = `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//imp20k//EN\r\n${[...zones.values()].join("")}${parts.join("")}END:VCALENDAR\r\n`;
console.log("file", (file.length / 1e6).toFixed(1), "MB", N, "events", zones.size, "zones");
const srv = await startServer({ snapshot: true });
try {
  await addUser(srv, "ann", { password: "pw-ann-12345678", emails: ["ann@example.com"] });
  const jar = new Map();
  const keep = (r) => { for (const c of r.headers.getSetCookie()) { const [kv] = c.split(";"); const [k, v] = kv.split("="); jar.set(k, v); } return r; };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const go = async (path, init = {}) => keep(await fetch(srv.url + path, { redirect: "manual", ...init, headers: { cookie: cookie(), origin: srv.url, ...init.headers } }));
  let r = await go("/app/sign-in"); let html = await r.text();
  const tok = (h) => /name="_csrf" value="([^"]+)"/.exec(h)[1];
  r = await go("/app/sign-in", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ _csrf: tok(html), login: "ann", password: "pw-ann-12345678", next: "/app/" }) });
  console.log("sign-in", r.status);
  r = await go("/app/transfer"); html = await r.text();
  const fd = new FormData(); fd.set("_csrf", tok(html)); fd.set("calendar", "calendar"); fd.set("mode", "skip"); fd.set("file", new Blob([file], { type: "text/calendar" }), "big.ics");
  const t0 = Date.now();
  r = await go("/app/transfer/import", { method: "POST", body: fd });
  const loc = r.headers.get("location"); console.log("upload", r.status, loc, (Date.now() - t0) / 1000, "s");
  if (!loc) { console.log(await r.text()); process.exit(1); }
  let p;
  for (;;) { r = await go(`${loc}/progress`); p = await r.json(); if (p.finished) break; await new Promise((s) => setTimeout(s, 5000)); process.stdout.write(`${p.done}/${p.total} `); }
  console.log("\nfinished", JSON.stringify(p), (Date.now() - t0) / 1000, "s");
  r = await fetch(`${srv.url}/calendars/ann/calendar/`, { method: "PROPFIND", headers: { authorization: basicAuth("ann", "pw-ann-12345678"), depth: "1", "content-type": "application/xml" }, body: `<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>` });
  const txt = await r.text(); console.log("PROPFIND members", (txt.match(/<D:response>/g) ?? []).length - 1);
} finally { await srv.stop(); }
