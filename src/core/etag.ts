// Strong ETags (RFC 9110 §8.8.3): the first 128 bits of the SHA-256 of the
// stored bytes, so equal bodies have equal tags wherever they were written.
import { hex, sha256 } from "./octets.js";

export async function strongEtag(body: Uint8Array | string): Promise<string> {
  return hex((await sha256(body)).slice(0, 16));
}
