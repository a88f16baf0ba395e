// Starts the real server for the HTTP tests exactly as `npm start` does
// (`wrangler dev` with --var ADMIN_TOKEN), but on free ports, a random admin
// token and fresh local state; and adds users with the documented CLI
// (`node scripts/user.mjs add ...`). The implementation is shared with the
// benchmark: bench/server.mjs (plain JS, typed by bench/server.d.mts).
import {
  addUser as addUserImpl,
  basicAuth,
  runUserCliOn,
  sentEmails as sentEmailsImpl,
  startServer as startServerImpl,
  type AddUserOptions,
  type CliResult,
  type RunningServer,
  type StartOptions,
} from "../../bench/server.mjs";

export type TestServer = RunningServer;
export type { CliResult };

/** Spawns `wrangler dev` (own process group, free ports, temp --persist-to) and waits for "Ready on". */
export function startServer(options: StartOptions = {}): Promise<TestServer> {
  return startServerImpl(options);
}

export interface Credentials {
  username: string;
  password: string;
}

/** `node scripts/user.mjs add <name> --password ... --email ... [--name] [--type] --url <url> --token <token>`. */
export async function addUser(
  server: TestServer,
  name: string,
  opts: AddUserOptions = {},
): Promise<Credentials & { emails: string[] }> {
  const u = await addUserImpl(server, name, opts);
  return { username: u.username, password: u.password, emails: u.emails };
}

/** Runs `node scripts/user.mjs <args> --url <server> --token <admin token or opts.token>`. */
export function userCli(server: TestServer, args: string[], opts: { token?: string } = {}): Promise<CliResult> {
  return runUserCliOn(server, args, opts);
}

export const basic = (c: Credentials) => basicAuth(c.username, c.password);

/** The raw messages the server's simulated send_email binding wrote (.wrangler/tmp/email/ under its directory). */
export const sentEmails = (server: TestServer): Array<{ path: string; text: string }> => sentEmailsImpl(server);
