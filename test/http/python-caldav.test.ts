// A second real CalDAV client over real HTTP: python-caldav (Debian's
// python3-caldav, as `.ci/run` installs it) driven by
// test/http/clients/python_caldav_flow.py against `wrangler dev` as the README
// starts it. Discovery, PUT by UID, time-range search with and without
// expand (RFC 4791 §9.9, §9.6.5), WebDAV sync with a delta after an edit, a
// new event and a deletion (RFC 6578), tasks in the task list, a to-do
// refused by the event calendar (RFC 4791 §5.3.2.1), free-busy (§7.10).
// MKCALENDAR is not tried: workerd answers it 501 before the Worker runs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addUser, startServer, type TestServer } from "./server.js";
import { runPythonCaldavFlow, type FlowStep } from "./clients/run.mjs";

describe("python-caldav against wrangler dev", () => {
  let server: TestServer;
  let steps: Map<string, FlowStep>;

  beforeAll(async () => {
    server = await startServer();
    await addUser(server, "pat", { password: "secret", emails: ["pat@example.com"], name: "Pat Python" });
    // Debian's python3-caldav; without it this fails and says to install it.
    steps = new Map((await runPythonCaldavFlow(`${server.url}/`, "pat", "secret")).map((s) => [s.step, s]));
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
  });

  const ok = (name: string): unknown => {
    const s = steps.get(name);
    expect(s, `step ${name} ran`).toBeDefined();
    expect(s!.ok, `${name}: ${String(s!.detail)}\n${s!.trace ?? ""}`).toBe(true);
    return s!.detail;
  };

  it("discovers the principal and lists the calendar and the task list", () => {
    expect(ok("principal")).toBe(`${server.url}/principals/pat/`);
    expect(ok("calendars")).toEqual(["Calendar", "Tasks"]);
  });

  it("stores events by UID and finds them by time range, expanded into instances when asked", () => {
    expect(ok("save_event")).toBe(`${server.url}/calendars/pat/calendar/py-1%40example.com.ics`);
    ok("save_event recurring");
    expect(ok("search June")).toEqual(["py-1@example.com", "py-weekly@example.com"]);
    expect(ok("search June expanded")).toEqual(["2026-06-01T12:00:00+00:00", "2026-06-08T12:00:00+00:00", "2026-06-15T12:00:00+00:00", "2026-06-22T12:00:00+00:00"]);
    expect(ok("event_by_uid")).toBe("Planning");
  });

  it("syncs: the initial sync lists both; after an edit, a new event and a deletion the delta has exactly those", () => {
    const initial = ok("sync initial") as { uids: string[]; token: string };
    expect(initial.uids).toEqual(["py-1@example.com", "py-weekly@example.com"]);
    expect(ok("edit")).toBe("Planning (moved)");
    ok("save_event 2");
    ok("delete");
    const delta = ok("sync delta") as { uids: string[]; token: string };
    expect(delta.uids).toEqual(["py-1@example.com", "py-2@example.com"]);
    expect(delta.token).not.toBe(initial.token);
    expect(ok("collection.sync")).toEqual({ updated: ["py-1@example.com", "py-2@example.com"], deleted: 1 });
  });

  it("keeps to-dos in the task list and refuses one in the event calendar (403)", () => {
    expect(ok("save_todo")).toBe(`${server.url}/calendars/pat/tasks/py-t1.ics`);
    expect(ok("todos")).toEqual(["Report"]);
    const refused = steps.get("todo in the event calendar")!;
    expect(refused.ok).toBe(false);
    expect(String(refused.detail)).toMatch(/AuthorizationError.*Forbidden/);
  });

  it("answers a free-busy query with the busy times of June", () => {
    const fb = String(ok("freebusy"));
    expect(fb).toContain("BEGIN:VFREEBUSY");
    expect(fb).toContain("FREEBUSY:20260610T090000Z/20260610T100000Z");
    expect(fb).toContain("FREEBUSY:20260612T090000Z/20260612T100000Z");
  });
});
