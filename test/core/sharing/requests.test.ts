// The calendarserver-sharing request bodies as Apple Calendar sends them
// (test/fixtures/sharing): CS:share with CS:set / CS:remove, CS:invite-reply;
// and what is refused with a 400 before anything is looked up.
import { describe, expect, it } from "vitest";
import shareSet from "../../fixtures/sharing/share-set.xml?raw";
import shareRemove from "../../fixtures/sharing/share-remove.xml?raw";
import accept from "../../fixtures/sharing/invite-reply-accept.xml?raw";
import decline from "../../fixtures/sharing/invite-reply-decline.xml?raw";
import { DavError } from "../../../src/core/errors.js";
import { inviteReplyRequest, isInviteReply, isShareRequest, parseInviteReply, parseShare, shareRequest } from "../../../src/core/sharing/requests.js";
import { parseXml } from "../../../src/core/xml/parse.js";
import { isElement, textOf, type XmlElement } from "../../../src/core/xml/tree.js";
import { writeXml } from "../../../src/core/xml/write.js";

const fill = (t: string, v: Record<string, string>) => t.replace(/\{\{(\w+)\}\}/g, (_, k: string) => v[k] ?? "");
/** An element's names and texts in order, whitespace between elements left out: what two bodies must share to be the same. */
const shape = (e: XmlElement): unknown[] => {
  const kids = e.children.filter(isElement);
  return [e.name, ...(kids.length ? kids.map(shape) : [textOf(e).trim()])];
};
const status = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof DavError ? e.status : -1;
  }
  return 0;
};

describe("CS:share", () => {
  it("reads each CS:set with its access and summary, and CS:remove", () => {
    const doc = parseXml(fill(shareSet, { READ_WRITE: "bob@example.com", READ_ONLY: "kid@example.com" }));
    expect(isShareRequest(doc)).toBe(true);
    expect(parseShare(doc)).toEqual([
      { op: "set", href: "mailto:bob@example.com", access: "read-write", summary: "Family" },
      { op: "set", href: "mailto:kid@example.com", access: "read", summary: "Family" },
    ]);
    expect(parseShare(parseXml(fill(shareRemove, { SHAREE: "bob@example.com" })))).toEqual([{ op: "remove", href: "mailto:bob@example.com" }]);
  });

  it("refuses with 400: no sharee, a CS:set without access or href, more than 50 sharees", () => {
    const ns = 'xmlns:A="http://calendarserver.org/ns/" xmlns:B="DAV:"';
    expect(status(() => parseShare(parseXml(`<A:share ${ns}/>`)))).toBe(400);
    expect(status(() => parseShare(parseXml(`<A:share ${ns}><A:set><B:href>mailto:a@b</B:href></A:set></A:share>`)))).toBe(400);
    expect(status(() => parseShare(parseXml(`<A:share ${ns}><A:set><A:read/></A:set></A:share>`)))).toBe(400);
    const many = Array.from({ length: 51 }, (_, i) => `<A:remove><B:href>mailto:u${i}@b</B:href></A:remove>`).join("");
    expect(status(() => parseShare(parseXml(`<A:share ${ns}>${many}</A:share>`)))).toBe(400);
  });
});

describe("CS:invite-reply", () => {
  it("reads an acceptance and a refusal with the host URL and the invitation it answers", () => {
    const v = { SHAREE: "bob@example.com", HOSTURL: "/calendars/olga/family/", UID: "abc123" };
    const yes = parseXml(fill(accept, v));
    expect(isInviteReply(yes)).toBe(true);
    expect(parseInviteReply(yes)).toEqual({ accept: true, hostUrl: "/calendars/olga/family/", inReplyTo: "abc123", summary: "Family" });
    expect(parseInviteReply(parseXml(fill(decline, v))).accept).toBe(false);
  });

  it("refuses with 400 a reply that neither accepts nor declines, or names no calendar", () => {
    const ns = 'xmlns:A="http://calendarserver.org/ns/" xmlns:B="DAV:"';
    expect(status(() => parseInviteReply(parseXml(`<A:invite-reply ${ns}><A:hosturl><B:href>/x/</B:href></A:hosturl></A:invite-reply>`)))).toBe(400);
    expect(status(() => parseInviteReply(parseXml(`<A:invite-reply ${ns}><A:invite-accepted/></A:invite-reply>`)))).toBe(400);
  });
});

describe("the bodies the web page sends", () => {
  it("builds CS:share and CS:invite-reply element for element as Apple Calendar's fixtures", () => {
    const set = shareRequest([
      { op: "set", href: "mailto:bob@example.com", access: "read-write", summary: "Family" },
      { op: "set", href: "mailto:kid@example.com", access: "read", summary: "Family" },
    ]);
    expect(shape(parseXml(writeXml(set)))).toEqual(shape(parseXml(fill(shareSet, { READ_WRITE: "bob@example.com", READ_ONLY: "kid@example.com" }))));
    const remove = shareRequest([{ op: "remove", href: "mailto:bob@example.com" }]);
    expect(shape(parseXml(writeXml(remove)))).toEqual(shape(parseXml(fill(shareRemove, { SHAREE: "bob@example.com" }))));
    const v = { SHAREE: "bob@example.com", HOSTURL: "/calendars/olga/family/", UID: "abc123" };
    for (const [fixture, yes] of [[accept, true], [decline, false]] as const) {
      const reply = inviteReplyRequest("mailto:bob@example.com", { accept: yes, hostUrl: v.HOSTURL, inReplyTo: v.UID, summary: "Family" });
      expect(shape(parseXml(writeXml(reply)))).toEqual(shape(parseXml(fill(fixture, v))));
    }
  });
});
