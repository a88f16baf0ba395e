// The Queue consumer for iTIP messages between calendar homes (RFC 6638
// §3.2, §4). Each message names one recipient address: the directory says
// whose it is; a local recipient's home applies it (idempotently, in RFC 5546
// order) and the sender's copy learns the SCHEDULE-STATUS. Addresses no
// principal holds are kept for e-mail delivery and marked as such. Failures
// retry with backoff; messages that exhaust their retries arrive in the
// dead-letter queue, where the sender learns they were not delivered. Bodies
// staged in R2 are the sending home's to delete (when they expire, gc.ts).
// With iMIP configured (src/mail), messages for outside addresses are mailed
// instead (SCHEDULE-STATUS 1.1), and messages that came in by e-mail
// (job.via "imip") are delivered here like any other, reporting to no one.
import { mapLimit } from "./core/async.js";
import type { ItipJob } from "./core/itip-job.js";
import type { Principal } from "./core/model.js";
import { SCHEDULE_STATUS } from "./core/schedule/index.js";
import { directoryStub, homeStub } from "./bindings.js";
import type { CalendarHome } from "./home/calendar-home.js";
import { imipConfig } from "./mail/config.js";

export const ITIP_QUEUE = "edge-caldav-itip";
export const ITIP_DLQ = "edge-caldav-itip-dlq";

/** Deliveries in flight per batch: each is an RPC to another home, not an outgoing connection. */
const CONCURRENCY = 25;
const MAX_BACKOFF_S = 300;
/** Owners' homes asked at once for a hosted reply (their number is bounded by home/hosted.ts MAX_HOSTS). */
const HOST_CONCURRENCY = 6;


/** Reports a delivery result back to the sender's copy: the organizer's for requests, the attendee's for replies. */
async function report(env: Env, job: ItipJob, status: string): Promise<void> {
  const organizerCopy = job.method !== "REPLY";
  await env.CALENDAR_HOME.getByName(job.fromHome).recordStatus(job.uid, { [job.recipient]: status }, organizerCopy);
}

/**
 * Lookups shared by the messages of one batch: a meeting's messages share their sender, and often their body
 * (staged once in R2 by the sending home, outbox.ts), which is then read once. `prime` asks the directory for every
 * recipient and sender of the batch in one call; anything it did not cover is asked for on its own.
 */
export class Lookups {
  private readonly principals = new Map<string, Promise<Principal | null>>();
  private readonly addresses = new Map<string, Promise<Principal | null>>();
  private readonly bodies = new Map<string, Promise<string>>();
  /** Messages for addresses no principal holds, kept by their sending home: one call per home for those ready together. */
  private readonly keeping = new Map<string, { jobs: ItipJob[]; done: Promise<void> }>();

  constructor(private readonly env: Env) {}

  async prime(jobs: readonly ItipJob[]): Promise<void> {
    const addresses = [...new Set(jobs.map((j) => j.recipient))].filter((a) => !this.addresses.has(a));
    // Senders: the sending home's principal, or the sharee a home sent for (home/hosted.ts).
    const ids = [...new Set(jobs.map((j) => j.sharee ?? j.fromHome))].filter((id) => id !== "" && !this.principals.has(id));
    if (addresses.length === 0 && ids.length === 0) return;
    const found = directoryStub(this.env).principalsFor(addresses, ids);
    // If the batch lookup fails, each message asks on its own.
    for (const a of addresses) this.addresses.set(a, found.then((f) => (a in f.byAddress ? f.byAddress[a]! : this.askAddress(a)), () => this.askAddress(a)));
    for (const id of ids) this.principals.set(id, found.then((f) => (id in f.byId ? f.byId[id]! : this.askId(id)), () => this.askId(id)));
    await found.catch(() => {});
  }

  body(job: ItipJob): Promise<string> {
    if (job.body !== undefined) return Promise.resolve(job.body);
    const key = job.bodyKey;
    if (!key) return Promise.reject(new Error(`iTIP ${job.id} has no body`));
    return once(this.bodies, key, async () => {
      const stored = await this.env.BODIES.get(key);
      if (!stored) throw new Error(`iTIP body ${key} is missing`);
      return stored.text();
    });
  }

  principal(id: string): Promise<Principal | null> {
    return once(this.principals, id, () => this.askId(id));
  }

  byAddress(address: string): Promise<Principal | null> {
    return once(this.addresses, address, () => this.askAddress(address));
  }

  /**
   * Keeps `job` for e-mail in its sending home. The messages that reach this in the same turn share one call to
   * their home (a meeting's outside attendees, a batch's many meetings); each caller learns that call's outcome.
   */
  keepForEmail(job: ItipJob): Promise<void> {
    let group = this.keeping.get(job.fromHome);
    if (!group) {
      const jobs: ItipJob[] = [];
      // Collect until the messages already resolved have added theirs, then send them together.
      const done = new Promise<void>((resolve) => setTimeout(resolve, 0)).then(() => {
        this.keeping.delete(job.fromHome);
        return this.env.CALENDAR_HOME.getByName(job.fromHome).keepForEmail(jobs);
      });
      group = { jobs, done };
      this.keeping.set(job.fromHome, group);
    }
    group.jobs.push(job);
    return group.done;
  }

  private askAddress(address: string): Promise<Principal | null> {
    return directoryStub(this.env).principalByAddress(address);
  }

  private askId(id: string): Promise<Principal | null> {
    return directoryStub(this.env).getPrincipal(id);
  }
}

function once<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let p = cache.get(key);
  if (!p) {
    p = load();
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

export async function deliverOne(job: ItipJob, env: Env, lookups = new Lookups(env)): Promise<void> {
  const recipient = await lookups.byAddress(job.recipient);
  if (!recipient) {
    if (job.via === "imip") {
      console.warn(`iMIP ${job.id} (${job.method} ${job.uid}): ${job.recipient} is no longer a user of this server; dropped`);
      return;
    }
    if (imipConfig(env)) {
      // Sent by e-mail (iMIP, RFC 6047) from the sender's home; a failure throws and the Queue retries.
      // Sent in the name of who organizes (a sharee's meeting: the sharee, home/hosted.ts), from the home keeping the copy.
      const from = await lookups.principal(job.sharee ?? job.fromHome);
      const outcome = await env.CALENDAR_HOME.getByName(job.fromHome).sendEmail(job, await lookups.body(job), from?.displayName ?? "");
      if (!outcome.sent && !outcome.duplicate) console.warn(`iMIP ${job.id} (${job.method} ${job.uid}) to ${job.recipient} not sent: ${outcome.reason}`);
      await reportNews(env, job, outcome.sent || outcome.duplicate ? SCHEDULE_STATUS.SENT : SCHEDULE_STATUS.TEMPORARY_FAILURE);
      return;
    }
    // Not a calendar user of this server: keep it for e-mail (iMIP) and say it was not delivered.
    await lookups.keepForEmail(job);
    await reportNews(env, job, SCHEDULE_STATUS.INVALID_USER);
    return;
  }
  // Who sent it is the principal whose home committed it, or the read-write sharee that home checked when it committed
  // a meeting the sharee organizes there (home/hosted.ts); addresses come from the directory. A message that came by
  // e-mail speaks for the one address its checks allowed (src/mail/inbound.ts, core/imip/trust.ts).
  const from = job.sharee ?? job.fromHome;
  const sender = job.via === "imip" ? outsider(job.originator) : await lookups.principal(from);
  if (!sender) {
    console.warn(`iTIP ${job.id}: the sending principal ${from} no longer exists; dropped`);
    return;
  }
  // A sharee's meeting kept in the owner's calendar is the owner's copy too: the owner, as an attendee, gets no other.
  if (job.sharee !== undefined && recipient.id === job.fromHome) return reportNews(env, job, SCHEDULE_STATUS.DELIVERED);
  const body = await lookups.body(job);
  const { status, hosts } = await homeStub(env, recipient.id).deliver(job, body, recipient, sender);
  await reportNews(env, job, hosts ? await hostedReply(env, hosts, job, body, recipient, sender) : status);
}

/**
 * An answer (REPLY, COUNTER, REFRESH) to a meeting the recipient organizes in a calendar shared with it (README
 * "Sharing"): each owner whose calendar the recipient mounted is asked, a few at a time, to take it into a copy there
 * (home/hosted.ts decides; only a REPLY changes the copy).
 */
async function hostedReply(env: Env, hosts: string[], job: ItipJob, body: string, recipient: Principal, sender: Principal): Promise<string> {
  const merged = await askHosts(env, hosts, async (home) => (await home.deliverHosted(job, body, recipient, sender)).status, (s) => s !== SCHEDULE_STATUS.NO_AUTHORITY);
  // Merged: the organizer's own inbox keeps the message (RFC 6638 §4), as for a meeting in its own calendar.
  if (merged === SCHEDULE_STATUS.DELIVERED) await homeStub(env, recipient.id).keepReply(job, body);
  return merged ?? SCHEDULE_STATUS.NO_AUTHORITY;
}

/**
 * Asks the owners' homes `hosts` (a sharee's, home/hosted.ts), a few at a time, in order; the first answer `found`
 * takes. At most one home holds the copy, so the asking stops at the group that found it.
 */
export async function askHosts<T>(env: Env, hosts: string[], ask: (home: DurableObjectStub<CalendarHome>) => Promise<T>, found: (answer: T) => boolean): Promise<T | undefined> {
  for (let i = 0; i < hosts.length; i += HOST_CONCURRENCY) {
    const answers = await Promise.all(hosts.slice(i, i + HOST_CONCURRENCY).map((host) => ask(homeStub(env, host))));
    const hit = answers.find(found);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/** Reports an outcome the sender's copy does not already show (a promise kept changes nothing, not even its ETag). */
async function reportNews(env: Env, job: ItipJob, status: string): Promise<void> {
  if (status !== job.promised && job.via !== "imip") await report(env, job, status);
}

/** The sender of a message that came by e-mail: someone outside this server, holding only the address it proved. */
const outsider = (address: string): Principal => ({ id: `imip:${address}`, displayName: "", type: "INDIVIDUAL", addresses: [address] });

async function consume(batch: MessageBatch<ItipJob>, env: Env): Promise<void> {
  const lookups = new Lookups(env);
  await lookups.prime(batch.messages.map((m) => m.body));
  await mapLimit(batch.messages, CONCURRENCY, async (msg) => {
    try {
      await deliverOne(msg.body, env, lookups);
      msg.ack();
    } catch (e) {
      console.warn(`iTIP ${msg.body.id} to ${msg.body.recipient}: attempt ${msg.attempts} failed: ${(e as Error).message}`);
      msg.retry({ delaySeconds: Math.min(MAX_BACKOFF_S, 2 ** msg.attempts) });
    }
  });
}

/** Dead letters: the sender's copy says the message could not be delivered; the failure is logged with its id. */
async function consumeDead(batch: MessageBatch<ItipJob>, env: Env): Promise<void> {
  await mapLimit(batch.messages, CONCURRENCY, async (msg) => {
    const job = msg.body;
    console.error(`iTIP message ${job.id} (${job.method} ${job.uid}) to ${job.recipient} was not delivered after its retries`);
    if (job.via === "imip") {
      msg.ack();
      return;
    }
    try {
      await report(env, job, SCHEDULE_STATUS.TEMPORARY_FAILURE);
      msg.ack();
    } catch (e) {
      console.error(`iTIP message ${job.id}: could not record the failure: ${(e as Error).message}`);
      msg.retry({ delaySeconds: 60 });
    }
  });
}

export async function queue(batch: MessageBatch<ItipJob>, env: Env): Promise<void> {
  if (batch.queue === ITIP_DLQ) return consumeDead(batch, env);
  return consume(batch, env);
}
