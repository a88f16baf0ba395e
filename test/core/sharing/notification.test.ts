// The CS:invite-notification a sharee finds in its notification collection
// (calendarserver-sharing), read back for the web page's invitations: its
// uid, the owner's calendar (CS:hosturl) and so the owner, the owner's name,
// the access and the summary; anything else is not an invitation.
import { describe, expect, it } from "vitest";
import { inviteNotification, notificationHost, parseInviteNotification } from "../../../src/core/sharing/xml.js";

const notice = (access: "read" | "read-write") =>
  inviteNotification({ uid: "abc123", sharee: "bob", owner: { id: "olga", displayName: "Olga Owner" }, calendar: "family", access, summary: "Family", components: ["VEVENT"] }, Date.UTC(2026, 0, 1));

describe("reading an invitation notification", () => {
  it("reads what the server wrote: uid, host URL and owner, owner's name, access, summary", () => {
    expect(parseInviteNotification(notice("read-write"))).toEqual({
      uid: "abc123", hostUrl: "/calendars/olga/family/", owner: "olga", ownerName: "Olga Owner", access: "read-write", summary: "Family",
    });
    expect(parseInviteNotification(notice("read"))?.access).toBe("read");
    expect(notificationHost(notice("read"))).toBe("olga");
  });

  it("is null for a body that is not an invitation, not XML, or names no calendar", () => {
    expect(parseInviteNotification('<C:notification xmlns:C="http://calendarserver.org/ns/"><C:resource-change/></C:notification>')).toBeNull();
    expect(parseInviteNotification("not xml")).toBeNull();
    expect(parseInviteNotification(notice("read").replace("/calendars/olga/family/", "/principals/olga/"))).toBeNull();
  });
});
