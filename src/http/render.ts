// Turns results and errors into HTTP responses: XML multistatus bodies and
// the DAV:error body of a failed precondition (RFC 4918 section 16). This is
// the one place where a DavError becomes a response.
import { DavError } from "../core/errors.js";
import { dav } from "../core/xml/names.js";
import { el, type XmlElement } from "../core/xml/tree.js";
import { writeXml } from "../core/xml/write.js";

const XML = "application/xml; charset=utf-8";

/** `doc` as a tree, or as text already written (MultistatusText). */
export function xmlResponse(status: number, doc: XmlElement | string, headers: Record<string, string> = {}): Response {
  return new Response(typeof doc === "string" ? doc : writeXml(doc), { status, headers: { "Content-Type": XML, ...headers } });
}

export function errorResponse(e: DavError): Response {
  const headers: Record<string, string> = { ...e.headers };
  if (e.condition) {
    return xmlResponse(e.status, el(dav("error"), [e.condition]), headers);
  }
  return new Response(e.status === 304 ? null : `${e.message}\n`, {
    status: e.status,
    headers: { "Content-Type": "text/plain; charset=utf-8", ...headers },
  });
}

/** Any thrown value becomes a response; only genuine server faults are 500s. */
export function renderError(err: unknown): Response {
  if (err instanceof DavError) return errorResponse(err);
  console.error("internal error", err instanceof Error ? (err.stack ?? err.message) : err);
  return new Response("internal server error\n", { status: 500, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}
