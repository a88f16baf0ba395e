// The admin API, used by `npm run user`: add and remove principals, set
// passwords, issue app passwords, mark administrators of the web page. It is off unless the ADMIN_TOKEN secret is
// set, and every call must carry it as a bearer token. The changes
// themselves are src/http/accounts.ts, shared with the web page.
import { Hono } from "hono";
import { directoryStub } from "../bindings.js";
import { constantTimeEqual } from "../core/auth/passwords.js";
import { normalizePrincipalId } from "../core/directory.js";
import { badRequest, DavError, notFound } from "../core/errors.js";
import type { CalendarUserType } from "../core/model.js";
import { ACCOUNT_LIMITS, issueAppPassword, removeAccount, revokeAppPassword, saveAccount } from "./accounts.js";

type AdminEnv = { Bindings: Env };

const enc = new TextEncoder();

function authorized(env: Env, header: string | undefined): boolean {
  const token = env.ADMIN_TOKEN;
  if (!token) return false;
  const given = /^Bearer\s+(.+)$/i.exec(header ?? "")?.[1] ?? "";
  return constantTimeEqual(enc.encode(given), enc.encode(token));
}

/** The request's JSON object; anything else (no JSON, an array, a string) is the client's error. */
async function jsonObject(req: Request): Promise<Record<string, unknown>> {
  let v: unknown;
  try {
    v = await req.json();
  } catch {
    throw badRequest("expected a JSON body");
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw badRequest("expected a JSON object");
  return v as Record<string, unknown>;
}

/** An optional string field of at most `max` characters. */
function optionalString(b: Record<string, unknown>, name: string, max: number): string | undefined {
  const v = b[name];
  if (v === undefined) return undefined;
  if (typeof v !== "string" || v.length > max) throw badRequest(`${name} is a string of at most ${max} characters`);
  return v;
}

/** A PUT /users/:id body, every field checked for its kind and the web page's bounds before anything is changed. */
function userBody(b: Record<string, unknown>): UserBody {
  const emails = b.emails;
  const { addresses, address } = ACCOUNT_LIMITS;
  if (emails !== undefined && (!Array.isArray(emails) || emails.length > addresses || !emails.every((e) => typeof e === "string" && e.length <= address)))
    throw badRequest(`emails is a list of at most ${addresses} addresses`);
  if (b.admin !== undefined && typeof b.admin !== "boolean") throw badRequest("admin is true or false");
  const type = optionalString(b, "type", 16) as CalendarUserType | undefined;
  return {
    displayName: optionalString(b, "displayName", ACCOUNT_LIMITS.displayName),
    type,
    emails: emails as string[] | undefined,
    password: optionalString(b, "password", ACCOUNT_LIMITS.password),
    admin: b.admin as boolean | undefined,
  };
}

interface UserBody {
  displayName?: string;
  type?: CalendarUserType;
  emails?: string[];
  password?: string;
  /** Whether the user administers the instance on the web page. */
  admin?: boolean;
}

export const admin = new Hono<AdminEnv>();

admin.use("*", async (c, next) => {
  if (!c.env.ADMIN_TOKEN) throw notFound("the admin API is disabled: set the ADMIN_TOKEN secret");
  if (!authorized(c.env, c.req.header("authorization")))
    throw new DavError(401, { description: "bad admin token", headers: { "WWW-Authenticate": 'Bearer realm="admin"' } });
  await next();
});

admin.get("/users", async (c) => c.json(await directoryStub(c.env).listPrincipals()));

admin.get("/users/:id", async (c) => {
  const dir = directoryStub(c.env);
  const p = await dir.getPrincipal(c.req.param("id"));
  if (!p) throw notFound(`no user ${c.req.param("id")}`);
  return c.json({ ...p, admin: await dir.isAdmin(p.id), credentials: await dir.listCredentials(p.id) });
});

/** Creates or updates a principal; `emails` replaces its addresses; `password` sets the login password. */
admin.put("/users/:id", async (c) => {
  const id = normalizePrincipalId(c.req.param("id"));
  if (!id) throw badRequest("invalid user name: use a-z, 0-9 and . _ @ + -");
  const body = userBody(await jsonObject(c.req.raw));
  const existed = (await directoryStub(c.env).getPrincipal(id)) !== null;
  const update = { id, displayName: body.displayName, type: body.type, addresses: body.emails, admin: body.admin };
  const principal = await saveAccount(c.env, update, body.password);
  return c.json(principal, existed ? 200 : 201);
});

admin.delete("/users/:id", async (c) => {
  const id = c.req.param("id");
  if (!(await removeAccount(c.env, id))) throw notFound(`no user ${id}`);
  return c.body(null, 204);
});

admin.post("/users/:id/app-passwords", async (c) => {
  const id = c.req.param("id");
  const label = optionalString(await jsonObject(c.req.raw), "label", ACCOUNT_LIMITS.label);
  return c.json(await issueAppPassword(c.env, id, label ?? "app password"), 201);
});

admin.delete("/users/:id/app-passwords/:cred", async (c) => {
  if (!(await revokeAppPassword(c.env, c.req.param("id"), c.req.param("cred")))) throw notFound("no such app password");
  return c.body(null, 204);
});
