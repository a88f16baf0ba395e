// What the browser harness needs from Node (kept in plain JS with types in
// node.d.mts, like bench/server.mjs, so the test type-check needs no @types/node).
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../bench/server.mjs";

/** docs/screenshots/, made if missing: where the browser tests save their screenshots (the README shows two). */
export function screenshotDir() {
  const dir = join(ROOT, "docs", "screenshots");
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The chromium to drive: $CHROMIUM_PATH, or Debian's package. */
export const chromiumPath = () => process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** A short tag unique to this test process, for user names. */
export const runTag = () => String(process.pid % 10_000);

/** Throws a clear error when the chromium to drive is not installed. */
export function requireChromium() {
  const path = chromiumPath();
  if (!existsSync(path)) throw new Error(`no chromium at ${path}: install it with \`apt-get install -y chromium\` (.ci/run does), or set CHROMIUM_PATH`);
}
