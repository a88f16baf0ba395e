// Secret read-only subscription URLs, one per calendar (issue 11 item 6), for
// apps that only subscribe (webcal:// or https://): GET /subscribe/<token>.ics
// answers the calendar's export without a login. The token is 256 random bits;
// the Directory keeps its SHA-256 mapped to the one principal and calendar it
// was made for, so a token opens that calendar and nothing else. Unknown or
// revoked tokens, and calendars deleted since, answer 404. The path is outside
// /calendars/ and /principals/ (core/paths.ts), so it meets no DAV resource.
import { Hono } from "hono";
import { directoryStub, homeStub } from "../bindings.js";
import { DavError } from "../core/errors.js";
import type { Principal } from "../core/model.js";
import { renderError } from "../http/render.js";
import { exportCalendar } from "./export.js";
import { hex, randomToken, sha256 } from "../core/octets.js";

export const SUBSCRIBE_PREFIX = "/subscribe";

const TOKEN = /^([A-Za-z0-9_-]{43})(\.ics)?$/;
const hashToken = async (token: string): Promise<string> => hex(await sha256(token));

/** The https URL and its webcal:// twin for a token, on the server at `origin` (e.g. "https://caldav.example.com"). */
export function subscriptionUrls(origin: string, token: string): { https: string; webcal: string } {
  const https = `${origin}${SUBSCRIBE_PREFIX}/${token}.ics`;
  return { https, webcal: https.replace(/^https?:/, "webcal:") };
}

async function calendarId(env: Env, user: Principal, calendar: string): Promise<number | null> {
  const col = await homeStub(env, user.id).collection(calendar);
  return col && col.kind === "calendar" ? col.id : null;
}

/** The calendar's current token, or null when it has no subscription URL (or it was made for a calendar since deleted). */
export async function subscriptionToken(env: Env, user: Principal, calendar: string): Promise<string | null> {
  const id = await calendarId(env, user, calendar);
  return id === null ? null : (await subscriptionTokens(env, user, [{ name: calendar, id }]))[0]!;
}

/**
 * The current token of each of `calendars` (null where it has none, or it was made for a calendar since deleted):
 * one Directory call for them all, checked against the ids the caller read from the home.
 */
export async function subscriptionTokens(env: Env, user: Principal, calendars: Array<{ name: string; id: number }>): Promise<Array<string | null>> {
  const subs = await directoryStub(env).subscriptions(user.id);
  return calendars.map((c) => (subs[c.name]?.collectionId === c.id ? subs[c.name]!.token : null));
}

/** Makes (or re-makes) the calendar's subscription URL; the previous one stops working at once. */
export async function makeSubscription(env: Env, user: Principal, calendar: string): Promise<string> {
  const id = await calendarId(env, user, calendar);
  if (id === null) throw new DavError(404, { description: `no calendar ${calendar}` });
  const token = randomToken();
  await directoryStub(env).setSubscription(user.id, calendar, id, token, await hashToken(token));
  return token;
}

/** Turns the calendar's subscription URL off. */
export async function dropSubscription(env: Env, user: Principal, calendar: string): Promise<boolean> {
  return directoryStub(env).dropSubscription(user.id, calendar);
}

/** GET (and HEAD) /subscribe/<token>.ics without a login; every other method 405. */
export const subscriptions = new Hono<{ Bindings: Env }>();

subscriptions.onError((err) => renderError(err));

subscriptions.get("/:file", async (c) => {
  const m = TOKEN.exec(c.req.param("file"));
  const target = m ? await directoryStub(c.env).subscriptionTarget(await hashToken(m[1]!)) : null;
  if (!target) throw new DavError(404, { description: "no such subscription" });
  const owner = await directoryStub(c.env).getPrincipal(target.principalId);
  if (!owner) throw new DavError(404, { description: "no such subscription" });
  return exportCalendar(c.env, owner, target.calendar, { collectionId: target.collectionId });
});

subscriptions.all("*", () => new Response("read-only subscription: only GET\n", { status: 405, headers: { Allow: "GET, HEAD" } }));
