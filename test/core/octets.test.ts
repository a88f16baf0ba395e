// The encodings and digests every token, key and ETag is made with
// (RFC 4648 §4, §5; FIPS 180-4 SHA-256), in one module: src/core/octets.ts.
import { describe, expect, it } from "vitest";
import { base64, base64url, fromBase64url, hex, randomToken, sha256 } from "../../src/core/octets.js";

describe("octets as text (RFC 4648)", () => {
  it("encodes the RFC 4648 §10 test vectors in base64 with padding", () => {
    const enc = new TextEncoder();
    expect(["", "f", "fo", "foo", "foob", "fooba", "foobar"].map((s) => base64(enc.encode(s)))).toEqual(["", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"]);
  });

  it("round-trips base64url without padding, with - and _ for + and /", () => {
    const bytes = new Uint8Array([0xfb, 0xff, 0xbf, 0x00, 0x10]);
    expect(base64url(bytes)).toBe("-_-_ABA");
    expect(fromBase64url("-_-_ABA")).toEqual(bytes);
    expect(fromBase64url("a+b/"), "not base64url").toBeNull();
    expect(fromBase64url("a=="), "padding is not taken").toBeNull();
  });

  it("gives SHA-256 of text as UTF-8 and of octets, in lower-case hex (FIPS 180-4 example 'abc')", async () => {
    const abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    expect(hex(await sha256("abc"))).toBe(abc);
    expect(hex(await sha256(new Uint8Array([0x61, 0x62, 0x63])))).toBe(abc);
  });

  it("makes random tokens of 256 bits as 43 base64url characters, never the same twice", () => {
    const tokens = new Set(Array.from({ length: 100 }, randomToken));
    expect(tokens.size).toBe(100);
    for (const t of tokens) {
      expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(fromBase64url(t)).toHaveLength(32);
    }
  });
});
