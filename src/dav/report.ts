// REPORT (RFC 3253 section 3.6): dispatch on the body's root element through
// the report table; an unknown or misplaced report answers 403
// DAV:supported-report. A report resolves its target together with what it
// reads of the target's members (resolve.ts resolveWith): one round trip.
import { DavError } from "../core/errors.js";
import { locate } from "../core/paths.js";
import { dav } from "../core/xml/names.js";
import { parseXml } from "../core/xml/parse.js";
import { el } from "../core/xml/tree.js";
import { bodyText, type DavContext, type DavRequest } from "./context.js";
import { REPORTS, type ReportTarget } from "./reports/table.js";
import { resolveWith } from "./resolve.js";

const unsupported = (name: string) => new DavError(403, { condition: el(dav("supported-report")), description: `${name} is not supported on this resource` });

export async function report(req: DavRequest, ctx: DavContext): Promise<Response> {
  const text = bodyText(req);
  if (text.trim() === "") throw new DavError(400, { description: "REPORT needs a body" });
  const doc = parseXml(text);
  const entry = REPORTS.get(doc.name);
  if (!entry) throw unsupported(doc.name);
  const loc = locate(req.url.pathname);
  // The handler reads its request first and resolves the target with what it reads of it: one round trip.
  const target: ReportTarget = {
    loc,
    resolve: async (op = { kind: "none" }) => {
      const found = await resolveWith(loc, ctx, op);
      if (!entry.on.includes(found.resource.kind)) throw unsupported(doc.name);
      return found;
    },
  };
  return entry.handler(doc, target, req, ctx);
}
