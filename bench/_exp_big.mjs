import { loadedServer } from "./loaded.mjs";
const { srv, auth, base } = await loadedServer({ events: 3, tag: "big", echo: true });
const ics = "BEGIN:VCALENDAR\r\n" + "X-PAD:".padEnd(70, "x").concat("\r\n").repeat(45_000) + "END:VCALENDAR\r\n";
for (const n of [1_200_000, 3_000_000]) {
  const body = ics.slice(0, n);
  try {
    const r = await fetch(`${base}huge.ics`, { method: "PUT", body, headers: { authorization: auth, "content-type": "text/calendar" } });
    console.log("PUT", n, r.status, (await r.text()).slice(0, 200));
  } catch (e) { console.log("PUT", n, "error", e.cause?.code ?? e.message); }
}
await srv.stop();
