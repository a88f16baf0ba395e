// The admin API, used by `npm run user`: add and remove principals, set
// passwords, issue app passwords, mark administrators of the web page. It is off unless the ADMIN_TOKEN secret is
// set, and every call must carry it as a bearer token. Every change to a
// principal drops its cached logins in this isolate at once (other isolates
// see it when their entries expire, README "Logins").
import { Hono } from "hono";
import { directoryStub, homeStub } from "../bindings.js";
import { constantTimeEqual, generateAppPassword, hashAppPassword, hashPassword } from "../core/auth/passwords.js";
import { normalizePrincipalId } from "../core/directory.js";
import { badRequest, DavError, notFound, unwrap } from "../core/errors.js";
import type { CalendarUserType } from "../core/model.js";
import { loginCache } from "./login.js";

type AdminEnv = { Bindings: Env };

const enc = new TextEncoder();

function authorized(env: Env, header: string | undefined): boolean {
  const token = env.ADMIN_TOKEN;
  if (!token) return false;
  const given = /^Bearer\s+(.+)$/i.exec(header ?? "")?.[1] ?? "";
  return constantTimeEqual(enc.encode(given), enc.encode(token));
}

async function json<T>(req: Request): Promise<T> {
  try {
    return (await req.json()) as T;
  } catch {
    throw badRequest("expected a JSON body");
  }
}

interface UserBody {
  displayName?: string;
  type?: CalendarUserType;
  emails?: string[];
  password?: string;
  /** Whether the user administers the instance on the web page. */
  admin?: boolean;
}

/**
 * Runs a change to a principal, then drops its cached logins (also when the
 * change failed half-way): after the Directory committed, so a login in
 * flight cannot cache what was true before (login-cache.ts, generations).
 */
async function changing<T>(id: string, change: () => Promise<T>): Promise<T> {
  try {
    return await change();
  } finally {
    loginCache.forgetPrincipal(id);
  }
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
  const body = await json<UserBody>(c.req.raw);
  if (body.password === "") throw badRequest("the password is empty");
  if (body.admin !== undefined && typeof body.admin !== "boolean") throw badRequest("admin is true or false");
  const dir = directoryStub(c.env);
  const existed = (await dir.getPrincipal(id)) !== null;
  const principal = await changing(id, async () => {
    // Addresses, name or type change what a cached login hands to the request, so they drop it too.
    const p = unwrap(await dir.upsertPrincipal({ id, displayName: body.displayName, type: body.type, addresses: body.emails, admin: body.admin }));
    if (body.password !== undefined) unwrap(await dir.setPassword(id, await hashPassword(body.password)));
    return p;
  });
  return c.json(principal, existed ? 200 : 201);
});

admin.delete("/users/:id", async (c) => {
  const id = c.req.param("id");
  const removed = await changing(id, () => directoryStub(c.env).removePrincipal(id));
  if (!removed) throw notFound(`no user ${id}`);
  await homeStub(c.env, id).destroy();
  return c.body(null, 204);
});

admin.post("/users/:id/app-passwords", async (c) => {
  const id = c.req.param("id");
  const { label } = await json<{ label?: string }>(c.req.raw);
  const secret = generateAppPassword();
  const credentialId = unwrap(await directoryStub(c.env).addAppPassword(id, label ?? "app password", await hashAppPassword(secret)));
  return c.json({ id: credentialId, label: label ?? "app password", password: secret }, 201);
});

admin.delete("/users/:id/app-passwords/:cred", async (c) => {
  const id = c.req.param("id");
  const ok = await changing(id, () => directoryStub(c.env).removeCredential(id, c.req.param("cred")));
  if (!ok) throw notFound("no such app password");
  return c.body(null, 204);
});
