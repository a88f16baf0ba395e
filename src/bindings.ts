// Typed access to the Worker's Durable Object bindings (wrangler.toml), in
// one module below every adapter: the HTTP layer (src/http), the DAV
// handlers (src/dav) and the Queue consumer (src/delivery.ts) import it
// downward instead of reaching into each other. Types only from the
// Durable Object modules, so importing this loads neither.
import type { Directory } from "./directory/directory.js";
import type { CalendarHome } from "./home/calendar-home.js";

/** The one Directory instance: principals, credentials, addresses, login throttle. */
export const DIRECTORY_NAME = "main";

export function directoryStub(env: Env): DurableObjectStub<Directory> {
  return env.DIRECTORY.getByName(DIRECTORY_NAME);
}

/** A principal's calendar home (one Durable Object per principal, named by its id). */
export function homeStub(env: Env, principalId: string): DurableObjectStub<CalendarHome> {
  return env.CALENDAR_HOME.getByName(principalId);
}
