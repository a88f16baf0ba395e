// The soak's printed summary: throughput and latency per kind of request,
// status codes, what the model saw, and the model check, with the requests
// and answers behind every failure so that it can be reproduced.
import { ANOMALIES } from "./soak-model.mjs";

function table(rows, cols) {
  const widths = cols.map((c) => Math.max(c.title.length, ...rows.map((r) => String(c.get(r)).length)));
  const line = (cells) => cells.map((s, i) => (cols[i].left ? String(s).padEnd(widths[i]) : String(s).padStart(widths[i]))).join("  ").trimEnd();
  return [line(cols.map((c) => c.title)), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map((r) => line(cols.map((c) => c.get(r))))].join("\n");
}

const statusText = (s) => Object.entries(s).sort(([a], [b]) => Number(a) - Number(b)).map(([k, n]) => `${k === "0" ? "no answer" : k}: ${n}`).join(", ");

/** The check line: every count, then PASS or FAIL. */
export function checkLine(r) {
  const parts = Object.keys(ANOMALIES).map((k) => `${k} ${r.check[k]}`);
  return `check: ${parts.join(", ")}, 5xx ${r.fiveXX}, no answer ${r.noAnswer}${r.settle.settled ? "" : ", scheduling NOT settled"} → ${r.ok ? "PASS" : "FAIL"}`;
}

export function formatReport(r) {
  const m = r.model;
  const out = [
    `== soak ${r.tag} (seed ${r.seed}): ${r.clients.total} clients (${r.clients.shared} on ${r.users[0]}, ${r.clients.others} on ${r.users.slice(1).join(", ")}) for ${r.seconds} s`,
    `requests: ${r.requests} in ${r.seconds} s = ${r.perSecond}/s; statuses: ${statusText(r.statuses)}`,
    "",
    table(r.kinds, [
      { title: "kind", get: (k) => k.kind, left: true },
      { title: "count", get: (k) => k.count },
      { title: "/s", get: (k) => k.perSecond },
      { title: "p50 ms", get: (k) => k.p50Ms },
      { title: "p95 ms", get: (k) => k.p95Ms },
      { title: "max ms", get: (k) => k.maxMs },
      { title: "statuses", get: (k) => statusText(k.statuses), left: true },
    ]),
    "",
    `model: ${m.objectsCreated} objects created (${m.objectsLive} live at the end), ${m.writesAcknowledged} writes acknowledged, ${m.ifMatchConflicts} If-Match conflicts (412);` +
      ` ${m.meetingsCreated} meetings (${m.meetingsAlive} live, ${m.meetingsCancelled} cancelled), ${m.invitations} invitations; ${m.deferred} scheduling steps waited for a delivery or reply`,
    `checked: ${m.checked.objects} objects, ${m.checked.meetings} organizer copies, ${m.checked.copies} attendee copies; scheduling settled ${r.settle.settled ? "" : "NOT "}after ${r.settle.seconds} s (${r.settle.rounds} rounds)`,
    checkLine(r),
  ];
  for (const [kind, examples] of Object.entries(r.examples)) {
    out.push("", `-- ${kind} (${r.check[kind]}): ${ANOMALIES[kind]}`);
    for (const e of examples) out.push(`  * ${e.replace(/\n/g, "\n    ")}`);
  }
  if (r.fiveXX) {
    out.push("", `-- 5xx (${r.fiveXX}), first ${r.fiveXXExamples.length}:`);
    for (const x of r.fiveXXExamples) out.push(`  * ${x.replace(/\n/g, "\n    ")}`);
  }
  if (r.noAnswer) {
    out.push("", `-- no answer (${r.noAnswer}), first ${r.noAnswerExamples.length}:`);
    for (const x of r.noAnswerExamples) out.push(`  * ${x.replace(/\n/g, "\n    ")}`);
  }
  return out.join("\n");
}
