// RFC 5545 §3.1 (and §3.3.11 for TEXT values): a content line holds no
// control character except HTAB; CRLF ends a line (a bare LF is taken too,
// as Unix tools write it). A CR not followed by LF is refused: parsers
// disagree on whether it ends a line (ical.js does not, others do), so a body
// holding one would show different components to different readers, e.g. a
// second VEVENT with another UID that only some clients see. Checked on the
// way in (PUT), not in the parser, so bodies stored before this check still
// parse when queries and deliveries read them back.
import type { Fail } from "./scan.js";

/** C0 controls other than HTAB, CR and LF, DEL (RFC 5545 §3.1 CONTROL), and a CR that does not begin a CRLF. */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]|\r(?!\n)/;

/** Throws fail("line N: ...") at the first control character a content line may not hold. */
export function checkControlCharacters(text: string, fail: Fail): void {
  const m = CONTROL.exec(text);
  if (!m) return;
  const before = text.slice(0, m.index);
  const line = (before.match(/\r\n|\n|\r/g)?.length ?? 0) + 1;
  if (m[0] === "\r") throw fail(`line ${line}: a CR not followed by LF (RFC 5545 §3.1: lines end with CRLF)`);
  const code = m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
  throw fail(`line ${line}: control character U+${code} is not allowed in iCalendar text (RFC 5545 §3.1 allows only HTAB)`);
}
