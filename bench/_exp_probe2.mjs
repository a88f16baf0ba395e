import { loadedServer } from "./loaded.mjs";
const { srv, auth, base } = await loadedServer({ events: 5, tag: "p2" });
const home = base.replace(/calendar\/$/, "");
const results = [];
const go = async (label, url, init = {}) => {
  try {
    const t = performance.now();
    const r = await fetch(url, { ...init, headers: { authorization: auth, ...(init.headers ?? {}) } });
    const txt = await r.text();
    results.push([label, r.status, (performance.now() - t).toFixed(0) + "ms", txt.slice(0, 120).replace(/\s+/g, " ")]);
  } catch (e) { results.push([label, "ERR", e.cause?.code ?? e.message]); }
};
const deep = (n, tag = "x:a") => `${`<${tag}>`.repeat(n)}v${`</${tag}>`.repeat(n)}`;
await go("proppatch deep 50k", base, { method: "PROPPATCH", headers: { "content-type": "application/xml" }, body: `<d:propertyupdate xmlns:d="DAV:" xmlns:x="urn:x"><d:set><d:prop><x:p>${deep(50000)}</x:p></d:prop></d:set></d:propertyupdate>` });
await go("propfind allprop after", base, { method: "PROPFIND", headers: { depth: "0", "content-type": "application/xml" }, body: `<d:propfind xmlns:d="DAV:"><d:allprop/></d:propfind>` });
await go("propfind deep body 100k", base, { method: "PROPFIND", headers: { depth: "0", "content-type": "application/xml" }, body: `<d:propfind xmlns:d="DAV:"><d:prop>${deep(100000, "d:x")}</d:prop></d:propfind>` });
await go("report deep filter", base, { method: "REPORT", headers: { depth: "1", "content-type": "application/xml" }, body: `<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter>${"<c:comp-filter name=\"VCALENDAR\">".repeat(20000)}${"</c:comp-filter>".repeat(20000)}</c:filter></c:calendar-query>` });
const nested = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//x//EN\r\nBEGIN:VEVENT\r\nUID:deep\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260101T100000Z\r\n" + "BEGIN:VALARM\r\n".repeat(20000) + "END:VALARM\r\n".repeat(20000) + "END:VEVENT\r\nEND:VCALENDAR\r\n";
await go("put nested valarm 20k", base + "deep.ics", { method: "PUT", headers: { "content-type": "text/calendar" }, body: nested });
const manyComps = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//x//EN\r\n" + Array.from({ length: 8000 }, (_, i) => `BEGIN:VEVENT\r\nUID:many\r\nDTSTAMP:20260101T000000Z\r\nRECURRENCE-ID:2026${String(1 + (i % 12)).padStart(2, "0")}${String(1 + (i % 28)).padStart(2, "0")}T${String(i % 24).padStart(2, "0")}0000Z\r\nDTSTART:20260101T100000Z\r\nEND:VEVENT\r\n`).join("") + "END:VCALENDAR\r\n";
await go("put 8000 overrides", base + "many.ics", { method: "PUT", headers: { "content-type": "text/calendar" }, body: manyComps });
await go("bad percent path", base + "%E0%A4%A.ics", {});
await go("nul path", base + "a%00b.ics", { method: "PUT", headers: { "content-type": "text/calendar" }, body: "x" });
await go("long name", base + "a".repeat(5000) + ".ics", { method: "PUT", headers: { "content-type": "text/calendar" }, body: "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n" });
await go("sync bad token", base, { method: "REPORT", headers: { "content-type": "application/xml" }, body: `<d:sync-collection xmlns:d="DAV:"><d:sync-token>http://x/${"9".repeat(400)}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>` });
await go("if header huge", base + "ev-1.ics", { method: "PUT", headers: { "content-type": "text/calendar", "if-match": Array.from({ length: 3000 }, (_, i) => `"e${i}"`).join(", ") }, body: "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n" });
await go("propfind infinity home", home, { method: "PROPFIND", headers: { depth: "infinity", "content-type": "application/xml" }, body: `<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>` });
await go("xml many ns", base, { method: "PROPFIND", headers: { depth: "0", "content-type": "application/xml" }, body: `<d:propfind xmlns:d="DAV:"><d:prop>${Array.from({ length: 20000 }, (_, i) => `<n${i}:p xmlns:n${i}="urn:n${i}"/>`).join("")}</d:prop></d:propfind>` });
await go("xml lone surrogate", base, { method: "PROPPATCH", headers: { "content-type": "application/xml" }, body: `<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:displayname>\uD800x</d:displayname></d:prop></d:set></d:propertyupdate>` });
await go("rrule huge interval", base + "rr.ics", { method: "PUT", headers: { "content-type": "text/calendar" }, body: "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//x//EN\r\nBEGIN:VEVENT\r\nUID:rr\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260101T100000Z\r\nRRULE:FREQ=SECONDLY;INTERVAL=1;BYMONTH=2;BYMONTHDAY=30\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n" });
await go("mkcol deep", home + "newcol/", { method: "MKCOL", headers: { "content-type": "application/xml" }, body: `<d:mkcol xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop><d:resourcetype><d:collection/><c:calendar/></d:resourcetype><d:displayname>${deep(30000, "d:x")}</d:displayname></d:prop></d:set></d:mkcol>` });
for (const r of results) console.log(r.join(" | "));
await srv.stop();
