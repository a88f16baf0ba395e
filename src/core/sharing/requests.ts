// Parses the CalendarServer sharing request bodies (calendarserver-sharing):
// CS:share (CS:set / CS:remove, POSTed by the owner to a calendar) and
// CS:invite-reply (POSTed by the sharee to its calendar home). Pure: names
// are returned as the client wrote them; who they are is decided elsewhere.
// Also builds the same bodies, element for element as Apple Calendar sends
// them (test/fixtures/sharing), for the web page, which acts as a client.
import { badRequest } from "../errors.js";
import { cs, dav } from "../xml/names.js";
import { child, childElements, childrenNamed, el, textOf, type XmlElement } from "../xml/tree.js";
import { SHARING_LIMITS, type ShareAccess } from "./model.js";

export type ShareChange =
  | { op: "set"; href: string; access: ShareAccess; summary: string }
  | { op: "remove"; href: string };

const hrefText = (e: XmlElement): string => {
  const h = child(e, dav("href"));
  const t = h ? textOf(h).trim() : "";
  if (!t || t.length > 1024) throw badRequest(`${e.name} needs a DAV:href`);
  return t;
};

export const isShareRequest = (doc: XmlElement) => doc.name === cs("share");
export const isInviteReply = (doc: XmlElement) => doc.name === cs("invite-reply");

export function parseShare(doc: XmlElement): ShareChange[] {
  const out: ShareChange[] = [];
  for (const e of childElements(doc)) {
    if (out.length >= SHARING_LIMITS.perRequest) throw badRequest(`at most ${SHARING_LIMITS.perRequest} sharees per request`);
    if (e.name === cs("set")) {
      const rw = child(e, cs("read-write")) !== undefined;
      if (!rw && child(e, cs("read")) === undefined) throw badRequest("CS:set needs CS:read or CS:read-write");
      const s = child(e, cs("summary"));
      out.push({ op: "set", href: hrefText(e), access: rw ? "read-write" : "read", summary: s ? textOf(s).trim().slice(0, 256) : "" });
    } else if (e.name === cs("remove")) out.push({ op: "remove", href: hrefText(e) });
  }
  if (out.length === 0) throw badRequest("CS:share names nobody");
  return out;
}

export interface InviteReply {
  accept: boolean;
  /** The shared calendar's URL (the owner's), CS:hosturl. */
  hostUrl: string;
  inReplyTo: string;
  summary: string;
}

export function parseInviteReply(doc: XmlElement): InviteReply {
  const accepted = child(doc, cs("invite-accepted")) !== undefined;
  if (!accepted && child(doc, cs("invite-declined")) === undefined) throw badRequest("CS:invite-reply needs CS:invite-accepted or CS:invite-declined");
  const host = child(doc, cs("hosturl"));
  if (!host) throw badRequest("CS:invite-reply needs CS:hosturl");
  const irt = childrenNamed(doc, cs("in-reply-to"))[0];
  const s = child(doc, cs("summary"));
  return { accept: accepted, hostUrl: hrefText(host), inReplyTo: irt ? textOf(irt).trim().slice(0, 128) : "", summary: s ? textOf(s).trim() : "" };
}

const hrefEl = (h: string) => el(dav("href"), [h]);

/** A CS:share body: CS:set (href, summary, access) and CS:remove (href), in order. */
export function shareRequest(changes: ShareChange[]): XmlElement {
  return el(cs("share"), changes.map((c) =>
    c.op === "set" ? el(cs("set"), [hrefEl(c.href), el(cs("summary"), [c.summary]), el(cs(c.access))]) : el(cs("remove"), [hrefEl(c.href)])));
}

/** A CS:invite-reply body: the sharee's href, the answer, the owner's calendar, the invitation's uid and summary. */
export function inviteReplyRequest(sharee: string, r: InviteReply): XmlElement {
  return el(cs("invite-reply"), [
    hrefEl(sharee),
    el(cs(r.accept ? "invite-accepted" : "invite-declined")),
    el(cs("hosturl"), [hrefEl(r.hostUrl)]),
    el(cs("in-reply-to"), [r.inReplyTo]),
    el(cs("summary"), [r.summary]),
  ]);
}
