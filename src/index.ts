// Worker entry: HTTP through the Hono app, and the Durable Object classes
// the bindings in wrangler.toml name. The queue consumer arrives with
// scheduling (iTIP delivery).
import { app } from "./app.js";

export { CalendarHome } from "./home/calendar-home.js";
export { Directory } from "./directory/directory.js";

export default {
  fetch: app.fetch,
  async queue(batch: MessageBatch<unknown>): Promise<void> {
    // iTIP delivery is not wired yet: acknowledge nothing, so messages stay queued.
    batch.retryAll();
  },
} satisfies ExportedHandler<Env>;
