#!/usr/bin/env node
// Manages users of a running server through its admin API: the local one
// started by `npm start`, or a deployed Worker (set CALDAV_URL and
// ADMIN_TOKEN). Scriptable: exit status 0 on success, 1 on failure.
import { parseArgs } from "node:util";

const LOCAL_URL = "http://127.0.0.1:8787";
const LOCAL_TOKEN = "local-dev-admin-token"; // only `npm start` sets this; deployed Workers use a secret

const USAGE = `usage: npm run user -- <command> [options]

commands:
  add <name> --password <pw> [--email <addr>]... [--name <display name>] [--type INDIVIDUAL|ROOM|RESOURCE] [--admin]
                       create a user (or update it, if it exists)
  set <name> [--password <pw>] [--email <addr>]... [--name <n>] [--type <t>] [--admin | --no-admin]
                       change a user; --email replaces all addresses;
                       --admin lets the user administer the instance on the web page (/app/admin)
  passwd <name> --password <pw>
  app-password <name> [--label <device>]
                       issue an app password (printed once)
  revoke <name> <credential-id>
  remove <name>        delete the user, its calendars and all their data
  list                 list users
  show <name>          show a user and its credentials (never the secrets)

options:
  --url <url>          server (default: $CALDAV_URL or ${LOCAL_URL})
  --token <token>      admin token (default: $ADMIN_TOKEN, or the local development token)
  --json               print JSON`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  allowNegative: true,
  options: {
    password: { type: "string" },
    email: { type: "string", multiple: true },
    name: { type: "string" },
    type: { type: "string" },
    label: { type: "string" },
    url: { type: "string" },
    token: { type: "string" },
    json: { type: "boolean" },
    admin: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  },
});

const [command, user, extra] = positionals;
const base = (values.url ?? process.env.CALDAV_URL ?? LOCAL_URL).replace(/\/+$/, "");
const token = values.token ?? process.env.ADMIN_TOKEN ?? LOCAL_TOKEN;

function fail(message) {
  console.error(`user: ${message}`);
  process.exit(1);
}

async function call(method, path, body) {
  let res;
  try {
    res = await fetch(`${base}/admin/api${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { "Content-Type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch (e) {
    fail(`cannot reach ${base}: ${e.cause?.message ?? e.message} (is the server running? npm start)`);
  }
  const text = await res.text();
  if (!res.ok) fail(`${method} ${path}: ${res.status} ${text.trim()}`);
  return text ? JSON.parse(text) : null;
}

const need = (v, what) => v ?? fail(`${command} needs ${what}\n\n${USAGE}`);
const enc = encodeURIComponent;

function userBody() {
  const body = {};
  if (values.password !== undefined) body.password = values.password;
  if (values.email) body.emails = values.email;
  if (values.name !== undefined) body.displayName = values.name;
  if (values.type !== undefined) body.type = values.type.toUpperCase();
  if (values.admin !== undefined) body.admin = values.admin;
  return body;
}

function print(result, line) {
  console.log(values.json ? JSON.stringify(result, null, 2) : line);
}

switch (command) {
  case "add":
  case "set": {
    need(user, "a user name");
    if (command === "add") need(values.password, "--password (or use app-password afterwards)");
    const p = await call("PUT", `/users/${enc(user)}`, userBody());
    print(p, `${p.id}: ${p.displayName} <${p.addresses.join(", ")}> ${p.type}`);
    break;
  }
  case "passwd": {
    need(user, "a user name");
    const p = await call("PUT", `/users/${enc(user)}`, { password: need(values.password, "--password") });
    print(p, `password set for ${p.id}`);
    break;
  }
  case "app-password": {
    need(user, "a user name");
    const r = await call("POST", `/users/${enc(user)}/app-passwords`, { label: values.label ?? "app password" });
    print(r, `${r.password}\n(app password "${r.label}" for ${user}, id ${r.id}; it is shown only once)`);
    break;
  }
  case "revoke":
    await call("DELETE", `/users/${enc(need(user, "a user name"))}/app-passwords/${enc(need(extra, "a credential id"))}`);
    print({ revoked: extra }, `revoked ${extra}`);
    break;
  case "remove":
    await call("DELETE", `/users/${enc(need(user, "a user name"))}`);
    print({ removed: user }, `removed ${user}`);
    break;
  case "list": {
    const all = await call("GET", "/users");
    print(all, all.map((p) => `${p.id}\t${p.type}\t${p.displayName}\t${p.addresses.join(" ")}`).join("\n") || "(no users)");
    break;
  }
  case "show": {
    const p = await call("GET", `/users/${enc(need(user, "a user name"))}`);
    print(p, `${p.id}: ${p.displayName} <${p.addresses.join(", ")}> ${p.type}${p.admin ? " admin" : ""}\n` +
      p.credentials.map((c) => `  ${c.kind}\t${c.id}\t${c.label}\t${new Date(c.created).toISOString()}` +
        `\tlast used ${c.lastUsed ? new Date(c.lastUsed).toISOString() : "never"}`).join("\n"));
    break;
  }
  default:
    console.log(USAGE);
    process.exit(values.help || !command ? 0 : 1);
}
