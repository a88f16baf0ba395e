// Files the page serves as responses of their own under /app/static/, so
// the CSP needs no inline script or style: a table of name → type and body.
// A script another part of the page needs is added here.
import { IMPORT_PROGRESS_JS } from "./import-progress.js";
import { STYLE } from "./style.js";

export interface StaticFile {
  type: string;
  body: string;
}

export const STATIC: Readonly<Record<string, StaticFile>> = {
  "style.css": { type: "text/css; charset=utf-8", body: STYLE },
  "import-progress.js": { type: "text/javascript; charset=utf-8", body: IMPORT_PROGRESS_JS },
};

/** A version of each file for its URL, so it can be cached for long and still change with a deploy. */
export function staticUrl(name: keyof typeof STATIC & string): string {
  const f = STATIC[name];
  let h = 0;
  for (let i = 0; f && i < f.body.length; i++) h = (h * 31 + f.body.charCodeAt(i)) | 0;
  return `/app/static/${name}?v=${(h >>> 0).toString(36)}`;
}
