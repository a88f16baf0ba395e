// Headers on every answer of the page: a strict Content-Security-Policy (no
// inline script or style at all: scripts and the stylesheet are responses of
// their own under /app/static/), no framing, no sniffing, no referrer sent
// elsewhere, and no caching of pages that show private data.
// CSP Level 3 (W3C), RFC 7034 (X-Frame-Options), Fetch Metadata.
import type { MiddlewareHandler } from "hono";
import type { WebEnv } from "./env.js";

export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

const HEADERS: Record<string, string> = {
  "Content-Security-Policy": CSP,
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "same-origin",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
};

export const securityHeaders: MiddlewareHandler<WebEnv> = async (c, next) => {
  await next();
  for (const [k, v] of Object.entries(HEADERS)) c.res.headers.set(k, v);
  if (!c.res.headers.has("Cache-Control")) c.res.headers.set("Cache-Control", "no-store");
};
