// Octets as text and their digests, in the encodings tokens, keys and ETags
// use: base64 and base64url (RFC 4648 §4, §5), lower-case hex, SHA-256, and
// random tokens of 256 bits. One place, so every token is made and read the
// same way. (Base32 for secrets people type is base32.ts.)
const utf8 = new TextEncoder();

/** Standard base64 with padding (RFC 4648 §4). */
export const base64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));

/** base64url without padding (RFC 4648 §5): safe in URLs, cookies and file names. */
export const base64url = (bytes: Uint8Array): string => base64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** The octets of base64url text without padding; null for any other character. */
export function fromBase64url(s: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) return null;
  try {
    return Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** Lower-case hex, two digits per octet. */
export const hex = (bytes: Uint8Array): string => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");

/** SHA-256 of text (as UTF-8) or octets. */
export async function sha256(data: string | Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", typeof data === "string" ? utf8.encode(data) : data));
}

/** 256 random bits, base64url (43 characters). */
export const randomToken = (): string => base64url(crypto.getRandomValues(new Uint8Array(32)));
