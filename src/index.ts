// Worker entry: HTTP through src/app.ts serve (DAV paths straight to the
// method table, the rest through the Hono app), iTIP delivery from the Queue,
// iMIP from Email Routing (src/mail/inbound.ts), and the Durable Object
// classes the bindings in wrangler.toml name.
import { serve } from "./app.js";
import type { ItipJob } from "./core/itip-job.js";
import { queue } from "./delivery.js";
import { email } from "./mail/inbound.js";

export { CalendarHome } from "./home/calendar-home.js";
export { Directory } from "./directory/directory.js";

export default {
  fetch: serve,
  queue,
  email,
} satisfies ExportedHandler<Env, ItipJob>;
