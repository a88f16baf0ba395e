// Types for bench/server.mjs (used by test/http/server.ts).

export declare const ROOT: string;

export interface StartOptions {
  /** Pass --var ADMIN_TOKEN:<token> (default true). */
  admin?: boolean;
  adminToken?: string;
  readyTimeoutMs?: number;
  /** Copy wrangler's output to stderr. */
  echo?: boolean;
  /** Run wrangler on a temp copy of the sources (default true; EDGE_CALDAV_SNAPSHOT=0 turns it off). */
  snapshot?: boolean;
  /** More `--var NAME:VALUE` (as a deployment's vars and secrets), e.g. IMIP_FROM. */
  vars?: Record<string, string>;
  /** The Worker directory (its wrangler.toml) to start; default ROOT, the server. */
  dir?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  inspectorPort: number;
  adminToken: string | null;
  persistDir: string;
  /** Where wrangler runs: a snapshot of the project, or the repository. */
  cwd: string;
  pid: number;
  command: string;
  output(): string;
  reloads(): number;
  workerdPids(): number[];
  stop(): Promise<void>;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface AddUserOptions {
  password?: string;
  emails?: string[];
  name?: string;
  type?: string;
}

export interface AddedUser {
  username: string;
  password: string;
  emails: string[];
  output: string;
}

export declare function snapshotProject(root?: string): string;
export declare function freePort(): Promise<number>;
export declare function startServer(options?: StartOptions): Promise<RunningServer>;
export declare function processName(pid: number): string;
export declare function descendants(root: number): number[];
export declare function statusKb(pid: number, field: string): number | null;
export declare function runScript(script: string, args: string[], opts?: { timeoutMs?: number }): Promise<CliResult>;
export declare function runUserCli(args: string[], opts?: { timeoutMs?: number }): Promise<CliResult>;
export declare function runUserCliOn(
  server: Pick<RunningServer, "url" | "adminToken">,
  args: string[],
  opts?: { timeoutMs?: number; token?: string },
): Promise<CliResult>;
export declare function addUser(
  server: Pick<RunningServer, "url" | "adminToken">,
  name: string,
  opts?: AddUserOptions,
): Promise<AddedUser>;
export declare function basicAuth(username: string, password: string): string;
/** Raw messages written by wrangler dev's simulated send_email binding (.wrangler/tmp/email/ under the server's cwd). */
export declare function sentEmails(server: RunningServer): Array<{ path: string; text: string }>;
