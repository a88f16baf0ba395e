// Helpers for the import/export tests: a user's Principal record, and an
// import run to its end (the home's alarm stores a batch per run; the test
// runs the alarm instead of waiting for it).
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm } from "cloudflare:test";
import { directoryStub } from "../../src/bindings.js";
import type { Principal } from "../../src/core/model.js";
import { importProgress, startImport, type ImportMode, type ImportStatus } from "../../src/transfer/import.js";
import { homeStub } from "./caldav.js";
import type { Creds } from "./dav-client.js";

export async function principalOf(c: Creds): Promise<Principal> {
  const p = await directoryStub(env).getPrincipal(c.user);
  if (!p) throw new Error(`no principal ${c.user}`);
  return p;
}

const utf8 = new TextEncoder();

/** Runs the home's alarm until the job has finished; returns its status after each run as well. */
export async function finishImport(c: Creds, jobId: string, seen: ImportStatus[] = []): Promise<ImportStatus> {
  const user = await principalOf(c);
  for (let i = 0; i < 2_000; i++) {
    const status = await importProgress(env, user, jobId);
    seen.push(status);
    if (status.finished) return status;
    if (!(await runDurableObjectAlarm(homeStub(c.user)))) await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("the import did not finish");
}

/** Starts an import of `text` and runs it to its end. */
export async function importText(c: Creds, calendar: string, text: string, mode: ImportMode = "skip"): Promise<ImportStatus & { jobId: string; startTotal: number }> {
  const { jobId, total } = await startImport(env, await principalOf(c), calendar, utf8.encode(text), mode);
  return { ...(await finishImport(c, jobId)), jobId, startTotal: total };
}
