// Reply tokens (core/imip/token.ts): signed for one event, attendee and
// organizer, expiring, fitting a mail local part (RFC 5321 §4.5.3.1.1).
import { describe, expect, it } from "vitest";
import { checkReplyToken, replyAddress, signReplyToken, tokenOf, TOKEN_TTL_MS } from "../../../src/core/imip/token.js";

const subject = { uid: "6A1F0C4E-1B2D-4B8A-9C33-5E7D2A9F0B11", attendee: "mailto:bob.guest@icloud.com", organizer: "mailto:olivia@example.com" };
const now = Date.UTC(2026, 11, 7);

describe("reply tokens", () => {
  it("round-trips, fits a local part, and ignores the case of addresses and mailto:", async () => {
    const t = await signReplyToken("s3cret", subject, now);
    expect(t).toMatch(/^[a-z2-7]{31}$/);
    expect(replyAddress("calendar@example.com", t).split("@")[0]!.length).toBeLessThanOrEqual(64);
    expect(await checkReplyToken("s3cret", t, subject, now)).toBe("valid");
    expect(await checkReplyToken("s3cret", t.toUpperCase(), { ...subject, attendee: "MAILTO:Bob.Guest@iCloud.com", organizer: "olivia@EXAMPLE.com" }, now)).toBe("valid");
  });

  it("is invalid for another event, attendee, organizer or secret, and when altered", async () => {
    const t = await signReplyToken("s3cret", subject, now);
    expect(await checkReplyToken("s3cret", t, { ...subject, uid: "other" }, now)).toBe("invalid");
    expect(await checkReplyToken("s3cret", t, { ...subject, attendee: "mailto:mallory@evil.example" }, now)).toBe("invalid");
    expect(await checkReplyToken("s3cret", t, { ...subject, organizer: "mailto:someone@example.com" }, now)).toBe("invalid");
    expect(await checkReplyToken("other", t, subject, now)).toBe("invalid");
    const altered = t.slice(0, 10) + (t[10] === "a" ? "b" : "a") + t.slice(11);
    expect(await checkReplyToken("s3cret", altered, subject, now)).toBe("invalid");
    expect(await checkReplyToken("s3cret", "x".repeat(200), subject, now)).toBe("invalid");
  });

  it("expires", async () => {
    const t = await signReplyToken("s3cret", subject, now);
    expect(await checkReplyToken("s3cret", t, subject, now + TOKEN_TTL_MS - 1)).toBe("valid");
    expect(await checkReplyToken("s3cret", t, subject, now + TOKEN_TTL_MS + 3_600_000)).toBe("expired");
  });

  it("is read from a plus address", () => {
    expect(tokenOf("calendar+abc@example.com")).toBe("abc");
    expect(tokenOf("mailto:calendar+abc@example.com")).toBe("abc");
    expect(tokenOf("calendar@example.com")).toBeNull();
  });

  it("the fixtures' tokens were made with the test secret (test/fixtures/imip)", async () => {
    expect(await checkReplyToken("test-imip-secret", "aaenh4a4jdv3ptbdmqhhfgpn6heex5q", subject, now)).toBe("valid");
  });
});
