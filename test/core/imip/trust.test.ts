// Whom an incoming iMIP message may speak for (core/imip/trust.ts, RFC 6047 §3).
import { describe, expect, it } from "vitest";
import { judge, type InboundFacts } from "../../../src/core/imip/trust.js";

const reply: InboundFacts = {
  method: "REPLY", organizer: "mailto:olivia@example.com", attendee: "mailto:bob@elsewhere.example",
  envelopeFrom: "bob@elsewhere.example", headerFrom: "bob@elsewhere.example", token: "none", organizerIsLocal: true,
};
const request: InboundFacts = {
  method: "REQUEST", organizer: "mailto:erin@elsewhere.example", attendee: null,
  envelopeFrom: "Erin@Elsewhere.example", headerFrom: "erin@elsewhere.example", token: "none", organizerIsLocal: false,
};

describe("trusting an incoming iMIP message", () => {
  it("takes a REPLY whose envelope and From are the attendee, whatever the case", () => {
    expect(judge({ ...reply, envelopeFrom: "BOB@elsewhere.example" })).toEqual({ ok: true, direction: "to-organizer", sender: "mailto:bob@elsewhere.example" });
  });
  it("takes a REPLY with a valid token from any sender (a forwarding service, an alias)", () => {
    expect(judge({ ...reply, envelopeFrom: "bounce-123@relay.example", headerFrom: "bob@alias.example", token: "valid" }).ok).toBe(true);
  });
  it("refuses a REPLY whose From is someone else, or whose envelope is, without a token", () => {
    expect(judge({ ...reply, headerFrom: "mallory@evil.example" }).ok).toBe(false);
    expect(judge({ ...reply, envelopeFrom: "mallory@evil.example" }).ok).toBe(false);
    expect(judge({ ...reply, envelopeFrom: "" }).ok).toBe(false);
  });
  it("refuses a REPLY with a bad or expired token from someone else", () => {
    expect(judge({ ...reply, headerFrom: "mallory@evil.example", envelopeFrom: "mallory@evil.example", token: "invalid" })).toMatchObject({ ok: false, reason: expect.stringContaining("invalid") });
    expect(judge({ ...reply, headerFrom: "mallory@evil.example", envelopeFrom: "mallory@evil.example", token: "expired" })).toMatchObject({ ok: false, reason: expect.stringContaining("expired") });
  });
  it("refuses a REPLY for an organizer who is not a user here", () => {
    expect(judge({ ...reply, organizerIsLocal: false }).ok).toBe(false);
  });
  it("takes a REQUEST or CANCEL only from its outside ORGANIZER", () => {
    expect(judge(request)).toEqual({ ok: true, direction: "to-attendee", sender: "mailto:erin@elsewhere.example" });
    expect(judge({ ...request, method: "CANCEL" }).ok).toBe(true);
    expect(judge({ ...request, headerFrom: "mallory@evil.example" }).ok).toBe(false);
    expect(judge({ ...request, organizerIsLocal: true }).ok, "a local organizer schedules through the server").toBe(false);
  });
  it("takes no PUBLISH or unknown method", () => {
    expect(judge({ ...request, method: "PUBLISH" }).ok).toBe(false);
  });
});
