// Where the web page lives: one prefix no DAV path can have (src/core/paths.ts
// has only /, /principals/... and /calendars/...), so every DAV method on
// every DAV path is untouched.
export const WEB_ROOT = "/app/";

/** A path under the page, e.g. web("calendars") → /app/calendars. */
export const webPath = (rest = "") => `${WEB_ROOT}${rest}`;

/** A redirect target the sign-in accepts from `next`: only a path under the page, never another origin. */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith(WEB_ROOT) || next.startsWith("//") || /[\\\u0000-\u001f]/.test(next) || next.length > 500) return WEB_ROOT;
  return next;
}

/**
 * A browser opening the server's root: a GET that prefers HTML, with no credentials and no DAV headers. A DAV
 * client's GET of / either sends credentials or is answered 401 as before.
 */
export function isBrowserVisit(req: Request): boolean {
  const h = req.headers;
  return (h.get("accept") ?? "").includes("text/html") && !h.has("authorization") && !h.has("depth");
}
