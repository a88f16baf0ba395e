// Worker entry: HTTP through the Hono app, iTIP delivery from the Queue, and
// the Durable Object classes the bindings in wrangler.toml name.
import { app } from "./app.js";
import type { ItipJob } from "./core/itip-job.js";
import { queue } from "./delivery.js";

export { CalendarHome } from "./home/calendar-home.js";
export { Directory } from "./directory/directory.js";

export default {
  fetch: app.fetch,
  queue,
} satisfies ExportedHandler<Env, ItipJob>;
