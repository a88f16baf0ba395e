// Password and app-password hashes as PHC-style strings, verified in
// constant time. PBKDF2-SHA256 stays at or below 100,000 iterations because
// production Workers refuse more (local workerd does not enforce it, so the
// limit is enforced here). App passwords are server-generated with 160
// random bits, so a salted SHA-256 is enough for them.
import { base32 } from "../base32.js";
import { base64, sha256 } from "../octets.js";

export const PBKDF2_ITERATIONS = 100_000;
export const PBKDF2_MAX_ITERATIONS = 100_000;

const enc = new TextEncoder();

/** PHC strings carry base64 without padding. */
const b64 = (bytes: Uint8Array): string => base64(bytes).replace(/=+$/, "");
const unb64 = (s: string): Uint8Array => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

function randomBytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  crypto.getRandomValues(b);
  return b;
}

async function pbkdf2(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > PBKDF2_MAX_ITERATIONS)
    throw new Error(`PBKDF2 iterations must be 1..${PBKDF2_MAX_ITERATIONS}`);
  const key = await crypto.subtle.importKey("raw", enc.encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256);
  return new Uint8Array(bits);
}

const saltedSha256 = (salt: Uint8Array, secret: string): Promise<Uint8Array> => sha256(new Uint8Array([...salt, ...enc.encode(secret)]));

export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export async function hashPassword(password: string, iterations = PBKDF2_ITERATIONS): Promise<string> {
  const salt = randomBytes(16);
  return `$pbkdf2-sha256$i=${iterations}$${b64(salt)}$${b64(await pbkdf2(password, salt, iterations))}`;
}

export async function hashAppPassword(secret: string): Promise<string> {
  const salt = randomBytes(16);
  return `$sha256$${b64(salt)}$${b64(await saltedSha256(salt, normalizeAppPassword(secret)))}`;
}

/** App passwords are typed on phones: ignore case, spaces and dashes. */
export const normalizeAppPassword = (s: string) => s.replace(/[\s-]/g, "").toLowerCase();

export function isCheapHash(phc: string): boolean {
  return phc.startsWith("$sha256$");
}

export async function verifyPassword(password: string, phc: string): Promise<boolean> {
  const parts = phc.split("$");
  if (parts[1] === "sha256" && parts.length === 4) {
    return constantTimeEqual(await saltedSha256(unb64(parts[2]!), normalizeAppPassword(password)), unb64(parts[3]!));
  }
  if (parts[1] === "pbkdf2-sha256" && parts.length === 5) {
    const iterations = Number(parts[2]!.replace(/^i=/, ""));
    return constantTimeEqual(await pbkdf2(password, unb64(parts[3]!), iterations), unb64(parts[4]!));
  }
  return false;
}

/** A new app password: 160 random bits as 32 base32 characters in groups of four. */
export function generateAppPassword(): string {
  return base32(randomBytes(20)).match(/.{4}/g)!.join("-");
}
