// Strong ETags (RFC 9110 §8.8.3): the first 128 bits of the SHA-256 of the
// stored bytes, so equal bodies have equal tags wherever they were written.
const utf8 = new TextEncoder();

export async function strongEtag(body: Uint8Array | string): Promise<string> {
  const bytes = typeof body === "string" ? utf8.encode(body) : body;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest.slice(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
