// The page's frame: one HTML document per answer (title, stylesheet, a skip
// link, the navigation, the signed-in name and the sign-out button) around a
// section's body. Sections add their entry to NAV. Everything interpolated
// with Hono's `html` is escaped; raw() is used only for markup built here.
import type { Context } from "hono";
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Principal } from "../core/model.js";
import { csrfField } from "./csrf.js";
import type { WebEnv } from "./env.js";
import { WEB_ROOT } from "./paths.js";
import { staticUrl } from "./static.js";

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export interface NavEntry {
  /** Path under /app/ ("" is the overview). */
  path: string;
  label: string;
  /** Shown to administrators only. */
  admin?: boolean;
}

/** The navigation, in order; a section of the page adds one line here. */
export const NAV: NavEntry[] = [
  { path: "", label: "Overview" },
  { path: "agenda", label: "Agenda" },
  { path: "calendars", label: "Calendars" },
  { path: "delegates", label: "Delegates" },
  { path: "setup", label: "Set up devices" },
  { path: "app-passwords", label: "App passwords" },
  { path: "transfer", label: "Import and export" },
  { path: "admin", label: "Administration", admin: true },
];

/** What the frame shows around a signed-in page; absent on the sign-in page. */
export interface Chrome {
  user: Principal;
  admin: boolean;
  csrf: string;
  /** The request path, to mark the current section. */
  path: string;
}

export const chromeOf = (c: Context<WebEnv>): Chrome => ({
  user: c.var.user,
  admin: c.var.admin,
  csrf: c.var.csrf,
  path: new URL(c.req.url).pathname,
});

function current(entry: NavEntry, path: string): boolean {
  const href = WEB_ROOT + entry.path;
  return entry.path === "" ? path === WEB_ROOT : path === href || path.startsWith(`${href}/`);
}

function nav(chrome: Chrome): Html {
  const items = NAV.filter((e) => !e.admin || chrome.admin).map(
    (e) => html`<li><a href="${WEB_ROOT + e.path}"${current(e, chrome.path) ? html` aria-current="page"` : ""}>${e.label}</a></li>`,
  );
  return html`<nav class="main" aria-label="Sections"><ul>${items}</ul></nav>
    <form class="inline" method="post" action="${WEB_ROOT}sign-out">${csrfField(chrome.csrf)}
      <button class="secondary" type="submit">Sign out&nbsp;<span class="muted">(${chrome.user.id})</span></button></form>`;
}

/** A whole document: the frame around `body`, titled `title`. */
export function page(title: string, body: Html, chrome?: Chrome): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · CalDAV</title>
<link rel="stylesheet" href="${staticUrl("style.css")}">
</head>
<body>
<a class="skip" href="#content">Skip to content</a>
<header class="top"><div class="bar"><a class="brand" href="${WEB_ROOT}">CalDAV</a>${chrome ? nav(chrome) : ""}</div></header>
<main id="content" tabindex="-1">
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;
}

/** Answers a signed-in request with `body` in the frame. */
export function show(c: Context<WebEnv>, title: string, body: Html, status: ContentfulStatusCode = 200) {
  return c.html(page(title, body, c.var.user ? chromeOf(c) : undefined), status);
}

/** A notice above a page's content: what just happened, or what went wrong. */
export const notice = (kind: "ok" | "error", text: Html | string) =>
  html`<div class="notice ${kind}" role="${kind === "error" ? "alert" : "status"}">${text}</div>`;

/** The page's 404, for a section's missing calendar, user or credential (Hono's c.notFound() would answer in plain text). */
export const notFoundPage = (c: Context<WebEnv>) =>
  c.html(page("Not found", html`${notice("error", "There is nothing here (any more).")}<p><a href="${WEB_ROOT}">Back to the overview</a></p>`, c.var.user ? chromeOf(c) : undefined), 404);

/** A dot in the calendar's colour (an empty ring without one): an SVG fill, since the CSP allows no inline style. */
export const swatch = (color: string) =>
  html`<svg class="swatch" width="16" height="16" viewBox="0 0 16 16" aria-hidden="true"><circle cx="8" cy="8" r="7" fill="${color || "none"}"/></svg>`;
