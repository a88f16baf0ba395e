// Runs the third-party clients of test/http (python-caldav, vdirsyncer) and
// handles their files: node:child_process and node:fs, kept out of the
// TypeScript tests, which type-check against the Workers runtime's types.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const PYTHON = "/usr/bin/python3";
const VDIRSYNCER = "/usr/bin/vdirsyncer";
const FLOW = fileURLToPath(new URL("./python_caldav_flow.py", import.meta.url));

function run(file, args, env = {}) {
  if (!existsSync(file)) return Promise.reject(new Error(`${file} is missing (apt-get install python3-caldav vdirsyncer, as .ci/run does)`));
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 120_000, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(" ")}: ${err.message}\n${stdout}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

export async function runPythonCaldavFlow(url, user, password) {
  const { stdout } = await run(PYTHON, [FLOW, url, user, password]);
  return JSON.parse(stdout);
}

/** A temporary vdirsyncer set-up: a folder "calendar" paired with the calendar home at `url`. */
export function vdirsyncerSetup(url, user, password) {
  const dir = mkdtempSync(join(tmpdir(), "vdirsyncer-"));
  const folder = join(dir, "cal", "calendar");
  mkdirSync(folder, { recursive: true });
  mkdirSync(join(dir, "status"));
  const config = join(dir, "config");
  writeFileSync(config, [
    "[general]", `status_path = "${join(dir, "status")}/"`, "",
    "[pair mine]", 'a = "local"', 'b = "remote"', 'collections = ["calendar"]', 'conflict_resolution = "b wins"', "",
    "[storage local]", 'type = "filesystem"', `path = "${join(dir, "cal")}/"`, 'fileext = ".ics"', "",
    "[storage remote]", 'type = "caldav"', `url = "${url}"`, `username = "${user}"`, `password = "${password}"`, "",
  ].join("\n"));
  return {
    run: async (...args) => { const { stdout, stderr } = await run(VDIRSYNCER, args, { VDIRSYNCER_CONFIG: config }); return stdout + stderr; },
    files: () => readdirSync(folder).sort(),
    read: (name) => readFileSync(join(folder, name), "utf8"),
    write: (name, text) => writeFileSync(join(folder, name), text),
    remove: (name) => rmSync(join(folder, name)),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
