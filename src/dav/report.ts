// REPORT (RFC 3253 section 3.6): dispatch on the body's root element through
// the report table; an unknown or misplaced report answers 403
// DAV:supported-report.
import { DavError } from "../core/errors.js";
import { locate } from "../core/paths.js";
import { dav } from "../core/xml/names.js";
import { parseXml } from "../core/xml/parse.js";
import { el } from "../core/xml/tree.js";
import { bodyText, type DavContext, type DavRequest } from "./context.js";
import { REPORTS } from "./reports/table.js";
import { resolve } from "./resolve.js";

export async function report(req: DavRequest, ctx: DavContext): Promise<Response> {
  const text = bodyText(req);
  if (text.trim() === "") throw new DavError(400, { description: "REPORT needs a body" });
  const doc = parseXml(text);
  const target = await resolve(locate(req.url.pathname), ctx);
  const entry = REPORTS.get(doc.name);
  if (!entry || !entry.on.includes(target.kind))
    throw new DavError(403, { condition: el(dav("supported-report")), description: `${doc.name} is not supported on this resource` });
  return entry.handler(doc, target, req, ctx);
}
