// RFC 5545 §3.1 content lines, for text-level checks the parser does not
// make: unfolding (a line break followed by one space or HTAB continues the
// line; CRLF, LF and CR all break lines, as scan.ts accepts), and the split
// of a line into name, parameters and value. Quoted parameter values may
// hold ";", ":" and ",", so the value starts at the first ":" outside
// quotes. A line that does not follow the grammar is left to the parser.

export interface ContentLine {
  /** The unfolded line. */
  text: string;
  /** The 1-based physical line that holds the character at an offset of `text`. */
  lineOf(offset: number): number;
}

/** The unfolded content lines of a body, with where each piece came from. */
export function* contentLines(body: string): Generator<ContentLine> {
  const physical = body.split(/\r\n|\n|\r/);
  let parts: string[] = [];
  // Where each physical piece starts in the unfolded line, and its line number.
  let starts: Array<{ at: number; line: number }> = [];
  let length = 0;
  const flush = (): ContentLine | null => {
    if (parts.length === 0) return null;
    const text = parts.join("");
    const pieces = starts;
    parts = [];
    starts = [];
    length = 0;
    return {
      text,
      lineOf(offset) {
        let line = pieces[0]!.line;
        for (const p of pieces) if (p.at <= offset) line = p.line;
        return line;
      },
    };
  };
  for (let i = 0; i < physical.length; i++) {
    const raw = physical[i]!;
    const continues = (raw[0] === " " || raw[0] === "\t") && parts.length > 0;
    if (!continues) {
      const done = flush();
      if (done) yield done;
      if (raw === "") continue;
    }
    const piece = continues ? raw.slice(1) : raw;
    starts.push({ at: length, line: i + 1 });
    parts.push(piece);
    length += piece.length;
  }
  const done = flush();
  if (done) yield done;
}

export interface LineParts {
  name: string;
  /** The first value of each parameter, by upper-case name, quotes removed. */
  params: Map<string, string>;
  /** Offset of the value in the line (just after the ":"). */
  valueAt: number;
}

const NAME = /[A-Za-z0-9-]+/y;
const PARAM_TEXT = /[^";:,]*/y;

function match(re: RegExp, line: string, at: number): string | null {
  re.lastIndex = at;
  return re.exec(line)?.[0] ?? null;
}

/** name *(";" param) ":" value (RFC 5545 §3.1), or null when the line does not follow it. */
export function splitLine(line: string): LineParts | null {
  const name = match(NAME, line, 0);
  if (!name) return null;
  let i = name.length;
  const params = new Map<string, string>();
  while (line[i] === ";") {
    const pname = match(NAME, line, i + 1);
    if (!pname || line[i + 1 + pname.length] !== "=") return null;
    i += pname.length + 2;
    let first: string | undefined;
    for (;;) {
      let value: string;
      if (line[i] === '"') {
        const close = line.indexOf('"', i + 1);
        if (close < 0) return null;
        value = line.slice(i + 1, close);
        i = close + 1;
      } else {
        value = match(PARAM_TEXT, line, i) ?? "";
        i += value.length;
      }
      first ??= value;
      if (line[i] !== ",") break;
      i++;
    }
    const key = pname.toUpperCase();
    if (!params.has(key)) params.set(key, first);
  }
  if (line[i] !== ":") return null;
  return { name, params, valueAt: i + 1 };
}
