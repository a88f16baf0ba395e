// Helpers for the web page's worker tests: a browser-like client over the
// Worker's own fetch that keeps cookies, signs in through the form, and
// reads the CSRF token out of a page.
import { exports } from "cloudflare:workers";

/** The page needs HTTPS (or loopback): the tests speak https to a made-up host. */
export const WEB = "https://caldav.test";

export class Browser {
  readonly cookies = new Map<string, string>();

  constructor(readonly base = WEB) {}

  async fetch(path: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { Accept: "text/html", ...(init.headers ?? {}) };
    if (this.cookies.size) headers["Cookie"] = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    // A browser sends Origin with every POST; "" here means: send none.
    if (init.method === "POST" && !("Origin" in headers)) headers["Origin"] = new URL(this.base).origin;
    if (headers["Origin"] === "") delete headers["Origin"];
    const res = await exports.default.fetch(new Request(new URL(path, this.base), { ...init, headers, redirect: "manual" }));
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const i = pair!.indexOf("=");
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === "";
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** Posts a form (urlencoded) with the fields given. */
  post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    return this.fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(fields).toString(),
    });
  }

  /** The CSRF token in a page (the first _csrf field). */
  async token(path: string): Promise<string> {
    const html = await (await this.fetch(path)).text();
    const m = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!m) throw new Error(`no CSRF field in ${path}: ${html.slice(0, 300)}`);
    return m[1]!;
  }

  /** Signs in through the form; the answer to the POST. */
  async signIn(login: string, password: string, next?: string): Promise<Response> {
    const token = await this.token(`/app/sign-in${next ? `?next=${encodeURIComponent(next)}` : ""}`);
    return this.post("/app/sign-in", { _csrf: token, login, password, next: next ?? "/app/" });
  }
}
