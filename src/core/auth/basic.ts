// Parses HTTP Basic credentials (RFC 7617). The user-id may not contain a
// colon; the password may. Credentials are UTF-8.
/** One decoder for every request: without `stream` each decode starts afresh. */
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

const ASCII = /^[\x00-\x7f]*$/;

export function parseBasic(header: string | null | undefined): { user: string; password: string } | undefined {
  if (!header) return undefined;
  const m = /^Basic\s+([A-Za-z0-9+/=._~-]+)\s*$/i.exec(header);
  if (!m) return undefined;
  let decoded: string;
  try {
    const bin = atob(m[1]!);
    // ASCII is its own UTF-8 (and has no BOM): most logins skip the copy and the decoder.
    decoded = ASCII.test(bin) ? bin : UTF8.decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
  const i = decoded.indexOf(":");
  if (i < 0) return undefined;
  return { user: decoded.slice(0, i), password: decoded.slice(i + 1) };
}
