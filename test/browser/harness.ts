// The browser tests' harness: Debian's chromium (/usr/bin/chromium, installed
// by `apt-get install chromium`; .ci/run does it) driven by playwright-core,
// against the one server global-setup.ts started. Helpers to add users with
// the documented CLI, open pages at phone and desktop sizes, sign in, save
// screenshots to docs/screenshots/ (the README shows two), run axe-core,
// and talk DAV with Basic credentials.
import AxeBuilder from "@axe-core/playwright";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { expect, inject } from "vitest";
import { addUser as addUserViaCli, basicAuth, runUserCliOn } from "../../bench/server.mjs";
import type { Credentials } from "../http/server.js";
import { chromiumPath, runTag, screenshotDir } from "./node.mjs";

export type { Credentials };

/** Flags for a headless run on a machine with no GPU, no sandbox privileges and no network beyond 127.0.0.1. */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1280, height: 800 },
} as const;

export type Viewport = keyof typeof VIEWPORTS;

/** The server of this run: its base URL and admin token. */
export const server = () => inject("web");

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_FLAGS });
}

/** A fresh browser context (no cookies) at a viewport size, with the server as base URL. */
export async function newContext(browser: Browser, viewport: Viewport = "desktop"): Promise<BrowserContext> {
  return browser.newContext({ baseURL: server().url, viewport: VIEWPORTS[viewport], locale: "en-GB", timezoneId: "Europe/Berlin" });
}

export async function newPage(browser: Browser, viewport: Viewport = "desktop"): Promise<Page> {
  return (await newContext(browser, viewport)).newPage();
}

let serial = 0;
/** A user of its own for a test, added with `npm run user -- add` (name unique per run). */
export async function newUser(prefix: string, opts: { admin?: boolean; name?: string } = {}): Promise<Credentials & { emails: string[] }> {
  const name = `${prefix}${runTag()}x${++serial}`;
  const u = await addUserViaCli(server(), name, { name: opts.name ?? `${prefix[0]!.toUpperCase()}${prefix.slice(1)} Example` });
  if (opts.admin) {
    const r = await runUserCliOn(server(), ["set", name, "--admin"]);
    if (r.code !== 0) throw new Error(`user set --admin failed: ${r.stdout}${r.stderr}`);
  }
  return u;
}

/** Signs in through the sign-in form and waits for the page it leads to. */
export async function signIn(page: Page, c: Credentials, path = "/app/"): Promise<void> {
  await page.goto(path);
  await page.getByLabel("Account name or e-mail address").fill(c.username);
  await page.getByLabel("Password", { exact: true }).fill(c.password);
  await Promise.all([page.waitForURL((u) => !u.pathname.endsWith("/sign-in")), page.getByRole("button", { name: "Sign in" }).click()]);
}

/** Saves the page as docs/screenshots/<name>-<viewport>.png, for every viewport, full page. */
export async function screenshots(page: Page, name: string): Promise<void> {
  const dir = screenshotDir();
  const before = page.viewportSize();
  for (const [size, vp] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(vp);
    await page.screenshot({ path: `${dir}/${name}-${size}.png`, fullPage: true });
  }
  if (before) await page.setViewportSize(before);
}

/** axe-core in the page: no serious or critical violation (WCAG 2.x A and AA rules). */
export async function expectAccessible(page: Page): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).analyze();
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join("; ")}`), page.url()).toEqual([]);
}

/** A DAV request with Basic credentials, straight to the server (not through the browser). */
export async function dav(method: string, path: string, c: Credentials, body?: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(new URL(path, server().url), {
    method,
    headers: { Authorization: basicAuth(c.username, c.password), ...(body ? { "Content-Type": "application/xml; charset=utf-8" } : {}), ...headers },
    body,
  });
}

/** PROPFIND Depth 1 of a user's calendar home: each member's href with the text of the asked properties. */
export async function homeListing(c: Credentials, props: string[] = ["D:displayname", "A:calendar-color"]): Promise<Map<string, Record<string, string>>> {
  const body = `<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:A="http://apple.com/ns/ical/"><D:prop>${props.map((p) => `<${p}/>`).join("")}</D:prop></D:propfind>`;
  const res = await dav("PROPFIND", `/calendars/${c.username}/`, c, body, { Depth: "1" });
  expect(res.status).toBe(207);
  const xml = await res.text();
  const out = new Map<string, Record<string, string>>();
  for (const m of xml.matchAll(/<(?:\w+:)?response\b[\s\S]*?<\/(?:\w+:)?response>/g)) {
    const href = /<(?:\w+:)?href>([^<]*)</.exec(m[0])?.[1] ?? "";
    const values: Record<string, string> = {};
    for (const p of props) {
      const local = p.split(":")[1]!;
      const found = new RegExp(`<(?:\\w+:)?${local}\\b[^>]*>([^<]*)</`).exec(m[0].replace(/<(?:\w+:)?status>HTTP\/1\.1 404[\s\S]*$/, ""));
      if (found) values[local] = found[1]!;
    }
    out.set(decodeURIComponent(href), values);
  }
  return out;
}
