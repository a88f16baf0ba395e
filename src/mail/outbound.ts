// Outbound iMIP (RFC 6047 §2-3): one e-mail per iTIP message to an address no
// principal of this server holds, sent by the sending principal's calendar
// home through Email Service (the send_email binding). The home remembers
// which messages went out (a redelivered queue message is not mailed twice)
// and what each recipient last received of an event, so an update says what
// changed. A failed send throws: the Queue retries it, and the dead-letter
// queue marks 5.1 (delivery.ts).
import { EmailMessage } from "cloudflare:email";
import type { ItipJob } from "../core/itip-job.js";
import { buildImip } from "../core/imip/mime.js";
import { render, type RsvpLinks } from "../core/imip/render.js";
import { signRsvp } from "../core/imip/rsvp.js";
import { replyAddress, signReplyToken } from "../core/imip/token.js";
import { changesBetween, viewOf, type EventView } from "../core/imip/view.js";
import { normAddress } from "../core/schedule/calendar.js";
import type { Sql } from "../sql.js";
import { underUserCap } from "./budget.js";
import type { ImipConfig } from "./config.js";

export interface SendHost {
  sql: Sql;
  transact<T>(fn: () => T): T;
  config: ImipConfig;
  /** One message from the deployment's hourly budget (budget.ts, in the Directory); false when it is spent. */
  takeBudget(now: number): Promise<boolean>;
}

/** What became of a message: sent now, sent before (a redelivery), or over a cap (not sent, 5.1). */
export type SendOutcome = { sent: true } | { sent: false; duplicate: true } | { sent: false; duplicate: false; reason: string };

/** How long a sent message's id is remembered against redelivery (and counted for the hourly cap), and a recipient's last view of an event. */
const SENT_KEEP_MS = 7 * 86_400_000;
const VIEW_KEEP_MS = 400 * 86_400_000;

/** Created on first use rather than by a schema version: the feature is optional and its tables are its own. */
function ensureTables(sql: Sql): void {
  sql.run(`CREATE TABLE IF NOT EXISTS imip_sent (id TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID`);
  sql.run(`CREATE INDEX IF NOT EXISTS imip_sent_at ON imip_sent (at)`);
  sql.run(`CREATE TABLE IF NOT EXISTS imip_views (uid TEXT NOT NULL, recipient TEXT NOT NULL, view TEXT NOT NULL, at INTEGER NOT NULL,
    PRIMARY KEY (uid, recipient)) WITHOUT ROWID`);
  sql.run(`CREATE INDEX IF NOT EXISTS imip_views_at ON imip_views (at)`);
}

/** Accept, Tentative and Decline links for the recipient of `job`, when the deployment has a public URL and a secret. */
async function rsvpLinks(config: ImipConfig, job: ItipJob, now: number): Promise<RsvpLinks | undefined> {
  if (!config.url || !config.secret) return undefined;
  const token = await signRsvp(config.secret, { id: job.id, uid: job.uid, attendee: job.recipient, organizer: job.originator }, now);
  const link = (answer: string) => `${config.url}/rsvp/${token}?answer=${answer}`;
  return { accept: link("accept"), tentative: link("tentative"), decline: link("decline") };
}

const bare = (address: string) => normAddress(address).replace(/^mailto:/, "");

/**
 * Mails `job` (whose iTIP text is `body`) unless it went out already. `senderName` is the display name of the
 * principal who sent it; within the caps of budget.ts.
 */
export async function sendImip(host: SendHost, job: ItipJob, body: string, senderName: string, now: number): Promise<SendOutcome> {
  const { sql, config } = host;
  ensureTables(sql);
  // The message is claimed before the first await, in one step with its checks: a redelivery of the same job
  // running meanwhile finds the claim and sends nothing (an await between check and write lets calls interleave).
  const claim = host.transact((): SendOutcome | null => {
    if (sql.one("SELECT 1 AS x FROM imip_sent WHERE id = ?", job.id)) return { sent: false, duplicate: true };
    if (!underUserCap(sql, now, config.limits.perHourUser))
      return { sent: false, duplicate: false, reason: `over the cap of ${config.limits.perHourUser} messages per hour for one user (IMIP_MAX_PER_HOUR_USER)` };
    sql.run("INSERT INTO imip_sent (id, at) VALUES (?, ?)", job.id, now);
    return null;
  });
  if (claim) return claim;
  try {
    return await sendClaimed(host, job, body, senderName, now);
  } catch (e) {
    // Not sent: the claim goes, so the Queue's retry (or the caller) can send it.
    host.transact(() => sql.run("DELETE FROM imip_sent WHERE id = ?", job.id));
    throw e;
  }
}

/** Sends a message sendImip claimed; throws when it was not sent (the claim is then released). */
async function sendClaimed(host: SendHost, job: ItipJob, body: string, senderName: string, now: number): Promise<SendOutcome> {
  const { sql, config } = host;
  if (!(await host.takeBudget(now))) {
    host.transact(() => sql.run("DELETE FROM imip_sent WHERE id = ?", job.id));
    return { sent: false, duplicate: false, reason: `over the cap of ${config.limits.perHour} messages per hour for the deployment (IMIP_MAX_PER_HOUR)` };
  }
  const to = bare(job.recipient);
  const view = viewOf(body);
  // A REPLY speaks for this home's principal: their name, where the data names only an address (as Google's does).
  const replier = job.method === "REPLY" ? view.attendees[0] : undefined;
  if (replier && senderName && (!replier.name || replier.name.includes("@"))) replier.name = senderName;
  const before = sql.one<{ view: string }>("SELECT view FROM imip_views WHERE uid = ? AND recipient = ?", job.uid, to);
  const changes = job.method === "REQUEST" ? changesBetween(before ? (JSON.parse(before.view) as EventView) : null, view) : [];
  const parts = render(view, changes, job.method === "REQUEST" ? await rsvpLinks(config, job, now) : undefined);
  const recipientName = job.method === "REPLY" ? view.organizer.name : (view.attendees.find((a) => a.address === normAddress(job.recipient))?.name ?? "");
  // Answers to an organizer's message come back to a reply address naming the event and attendee (token.ts);
  // a human answer to an attendee's REPLY goes to that attendee.
  const replyTo = job.method === "REPLY"
    ? bare(job.originator)
    : config.secret
      ? replyAddress(config.from, await signReplyToken(config.secret, { uid: job.uid, attendee: job.recipient, organizer: job.originator }, now))
      : config.from;
  const raw = buildImip({
    from: { address: config.from, name: senderName || bare(job.originator) },
    to: { address: to, name: recipientName },
    replyTo,
    messageId: `${job.id}@${config.from.split("@")[1]}`,
    method: job.method,
    ics: body,
  }, parts);
  await config.email.send(new EmailMessage(config.from, to, raw));
  host.transact(() => {
    sql.run("DELETE FROM imip_sent WHERE at < ?", now - SENT_KEEP_MS);
    if (job.method === "REQUEST" && !view.instances.length) {
      sql.run("INSERT OR REPLACE INTO imip_views (uid, recipient, view, at) VALUES (?, ?, ?, ?)", job.uid, to, JSON.stringify(view), now);
    }
    sql.run("DELETE FROM imip_views WHERE at < ?", now - VIEW_KEEP_MS);
  });
  return { sent: true };
}
