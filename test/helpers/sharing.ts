// Sharing test helpers (calendarserver-sharing): three principals around an
// owner's "family" calendar, the Apple-shaped request bodies from
// test/fixtures/sharing with their placeholders filled, and the steps
// share → notification → accept a test builds on.
import shareSet from "../fixtures/sharing/share-set.xml?raw";
import shareRemove from "../fixtures/sharing/share-remove.xml?raw";
import shareChange from "../fixtures/sharing/share-change.xml?raw";
import acceptReply from "../fixtures/sharing/invite-reply-accept.xml?raw";
import declineReply from "../fixtures/sharing/invite-reply-decline.xml?raw";
import notificationPropfind from "../fixtures/sharing/notification-propfind.xml?raw";
import { parseXml } from "../../src/core/xml/parse.js";
import { child, childElements, textOf } from "../../src/core/xml/tree.js";
import { dav, multistatus, type Creds } from "./dav-client.js";
import { CS, D, mkcalendar, mkcalendarBody, newUser } from "./caldav.js";

export const fill = (template: string, values: Record<string, string>) => template.replace(/\{\{(\w+)\}\}/g, (_, k: string) => values[k] ?? "");
export const email = (c: Creds) => `${c.user}@example.com`;

export interface Family {
  owner: Creds;
  rw: Creds;
  ro: Creds;
  stranger: Creds;
  /** The owner's calendar URL. */
  calendar: string;
}

/** Owner, read-write sharee, read-only sharee and a stranger; the owner's calendar "Family" in orange. */
export async function family(): Promise<Family> {
  const [owner, rw, ro, stranger] = await Promise.all([newUser("owner", { name: "Olga Owner" }), newUser("rw"), newUser("ro"), newUser("stranger")]);
  const calendar = `/calendars/${owner.user}/family/`;
  const res = await mkcalendar(owner, calendar, mkcalendarBody("<D:displayname>Family</D:displayname><A:calendar-color>#FF9500FF</A:calendar-color>"));
  if (res.status !== 201) throw new Error(`MKCALENDAR: ${res.status} ${await res.text()}`);
  return { owner, rw, ro, stranger, calendar };
}

export const postXml = (who: Creds, path: string, body: string) =>
  dav("POST", path, { as: who, body, headers: { "Content-Type": "application/davsharing+xml; charset=utf-8" } });

/** The owner shares its calendar: rw read-write, ro read-only (Apple's CS:share). */
export async function shareBoth(f: Family): Promise<Response> {
  return postXml(f.owner, f.calendar, fill(shareSet, { READ_WRITE: email(f.rw), READ_ONLY: email(f.ro) }));
}

export const unshare = (f: Family, sharee: Creds) => postXml(f.owner, f.calendar, fill(shareRemove, { SHAREE: email(sharee) }));
export const makeReadOnly = (f: Family, sharee: Creds) => postXml(f.owner, f.calendar, fill(shareChange, { PRINCIPAL: `/principals/${sharee.user}/` }));

export interface Notice {
  href: string;
  etag: string;
  type: string[];
}

/** The sharee's notification collection, listed by PROPFIND Depth 1 as Apple Calendar does. */
export async function notifications(who: Creds): Promise<Notice[]> {
  const res = await dav("PROPFIND", `/calendars/${who.user}/notification/`, { as: who, headers: { Depth: "1" }, body: notificationPropfind });
  if (res.status !== 207) throw new Error(`PROPFIND notification: ${res.status}`);
  const out: Notice[] = [];
  for (const [href, r] of await multistatus(res)) {
    const t = r.props.get(CS("notificationtype"));
    if (!t || t.status !== 200) continue;
    out.push({ href, etag: textOf(r.props.get(D("getetag"))!.element), type: childElements(t.element).map((e) => e.name) });
  }
  return out;
}

/** The invitation's uid and host URL, read from the notification body. */
export async function readInvite(who: Creds, href: string): Promise<{ uid: string; hosturl: string; access: string; body: string }> {
  const res = await dav("GET", href, { as: who });
  if (res.status !== 200) throw new Error(`GET ${href}: ${res.status}`);
  const body = await res.text();
  const invite = child(parseXml(body), CS("invite-notification"))!;
  const host = child(invite, CS("hosturl"))!;
  return {
    uid: textOf(child(invite, CS("uid"))!),
    hosturl: textOf(child(host, D("href"))!),
    access: childElements(child(invite, CS("access"))!)[0]!.name,
    body,
  };
}

/** Accepts (or declines) the sharee's pending invitation; returns the response. */
export async function answer(who: Creds, accept: boolean): Promise<Response> {
  const [n] = await notifications(who);
  if (!n) throw new Error(`${who.user} has no notification`);
  const inv = await readInvite(who, n.href);
  return postXml(who, `/calendars/${who.user}/`, fill(accept ? acceptReply : declineReply, { SHAREE: email(who), HOSTURL: inv.hosturl, UID: inv.uid }));
}

/** Accepts and returns the shared calendar's URL in the sharee's home (CS:shared-as). */
export async function accept(who: Creds): Promise<string> {
  const res = await answer(who, true);
  if (res.status !== 200) throw new Error(`invite-reply: ${res.status} ${await res.text()}`);
  const sharedAs = parseXml(await res.text());
  return textOf(child(sharedAs, D("href"))!);
}

/** A family whose calendar both sharees accepted. */
export async function sharedFamily(): Promise<Family & { rwUrl: string; roUrl: string }> {
  const f = await family();
  const res = await shareBoth(f);
  if (res.status !== 200) throw new Error(`share: ${res.status} ${await res.text()}`);
  return { ...f, rwUrl: await accept(f.rw), roUrl: await accept(f.ro) };
}
