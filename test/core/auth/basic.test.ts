// RFC 7617 Basic credentials: the examples of §2 and §2.1, and what is refused.
import { describe, expect, it } from "vitest";
import { parseBasic } from "../../../src/core/auth/basic.js";

const b64 = (bytes: number[]) => btoa(String.fromCharCode(...bytes));
const utf8 = (s: string) => [...new TextEncoder().encode(s)];

describe("parseBasic (RFC 7617)", () => {
  it("reads the §2 example: Aladdin / open sesame", () => {
    expect(parseBasic("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")).toEqual({ user: "Aladdin", password: "open sesame" });
  });

  it("reads UTF-8 credentials (§2.1 example: test / 123£)", () => {
    expect(parseBasic("Basic dGVzdDoxMjPCow==")).toEqual({ user: "test", password: "123£" });
    expect(parseBasic(`Basic ${b64(utf8("jürgen:pässwörd"))}`)).toEqual({ user: "jürgen", password: "pässwörd" });
  });

  it("splits at the first colon: the password may hold colons (§2)", () => {
    expect(parseBasic(`basic ${btoa("alice:a:b:c")}`)).toEqual({ user: "alice", password: "a:b:c" });
  });

  it("refuses what is not UTF-8, has no colon, or is not Basic", () => {
    expect(parseBasic(`Basic ${b64([0x61, 0x3a, 0xff, 0xfe])}`)).toBeUndefined();
    expect(parseBasic(`Basic ${b64([0x61, 0x3a, 0xa3])}`)).toBeUndefined(); // Latin-1 £, not UTF-8
    expect(parseBasic(`Basic ${btoa("alice")}`)).toBeUndefined();
    expect(parseBasic(`Bearer ${btoa("alice:pw")}`)).toBeUndefined();
    expect(parseBasic("Basic !!!")).toBeUndefined();
    expect(parseBasic(null)).toBeUndefined();
  });

  it("drops a UTF-8 byte order mark before the user-id", () => {
    expect(parseBasic(`Basic ${b64([0xef, 0xbb, 0xbf, ...utf8("bob:pw")])}`)).toEqual({ user: "bob", password: "pw" });
  });
});
