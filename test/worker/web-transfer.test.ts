// The Import and export section of the web page in the Workers runtime: the
// upload needs the session's CSRF token like every form; a file that is not
// iCalendar answers 400 with its reason and changes nothing; the progress of
// an import is the signed-in user's only; the export is a download; the
// subscription buttons make, re-make and turn off the URL.
import { describe, expect, it } from "vitest";
import { runDurableObjectAlarm } from "cloudflare:test";
import vcard from "../fixtures/ics/import/not-icalendar.vcf?raw";
import google from "../fixtures/ics/import/google-export.ics?raw";
import { homeStub, newUser } from "../helpers/caldav.js";
import { Browser } from "../helpers/web.js";
import { dav } from "../helpers/dav-client.js";

async function signedIn(prefix: string) {
  const u = await newUser(prefix);
  const b = new Browser();
  expect((await b.signIn(u.user, u.password)).status).toBe(303);
  return { b, u, token: await b.token("/app/transfer") };
}

function upload(b: Browser, fields: Record<string, string>, file: string, name = "old.ics") {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append("file", new File([file], name, { type: "text/calendar" }));
  return b.fetch("/app/transfer/import", { method: "POST", body: form });
}

describe("web page: import and export", () => {
  it("imports through the form (CSRF token needed), shows progress to its user only, then the summary", async () => {
    const { b, u, token } = await signedIn("wti");
    expect((await upload(b, { calendar: "calendar", mode: "skip" }, google)).status).toBe(403);
    const res = await upload(b, { _csrf: token, calendar: "calendar", mode: "skip" }, google);
    expect(res.status).toBe(303);
    const job = res.headers.get("location")!;
    expect(job).toMatch(/^\/app\/transfer\/import\/[0-9a-f-]{36}$/);
    const running = await (await b.fetch(job)).text();
    expect(running).toMatch(/<progress id="progress" max="4" value="\d">/);
    expect(running).toContain('src="/app/static/import-progress.js?v=');
    // Another signed-in user cannot read it.
    const other = await signedIn("wto");
    expect((await other.b.fetch(`${job}/progress`)).status).toBe(404);
    for (let i = 0; i < 20 && !(await (await b.fetch(`${job}/progress`)).json<{ finished: boolean }>()).finished; i++) await runDurableObjectAlarm(homeStub(u.user));
    expect(await (await b.fetch(`${job}/progress`)).json()).toEqual({ done: 4, total: 4, finished: true, imported: 4, replaced: 0, skipped: 0 });
    expect(await (await b.fetch(job)).text()).toContain("Import finished: 4 imported, 0 replaced, 0 skipped.");
    const script = await b.fetch("/app/static/import-progress.js");
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
  });

  it("refuses a file that is not iCalendar with its reason (400) and changes nothing", async () => {
    const { b, u, token } = await signedIn("wtn");
    const res = await upload(b, { _csrf: token, calendar: "calendar", mode: "replace" }, vcard, "contact.vcf");
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("not an iCalendar file: line 1: expected BEGIN:VCALENDAR");
    const listing = await dav("PROPFIND", `/calendars/${u.user}/calendar/`, { as: u, headers: { Depth: "1" } });
    expect((await listing.text()).match(/<D:response>/g)).toHaveLength(1);
  });

  it("exports a calendar as a download, and makes, re-makes and turns off its subscription URL", async () => {
    const { b, token } = await signedIn("wte");
    const exported = await b.fetch("/app/transfer/export/calendar");
    expect(exported.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
    expect(exported.headers.get("content-disposition")).toBe('attachment; filename="calendar.ics"');
    expect(await exported.text()).toMatch(/^BEGIN:VCALENDAR\r\n/);
    expect((await b.fetch("/app/transfer/export/nothing")).status).toBe(404);

    expect((await b.post("/app/transfer/subscription/calendar/renew", {})).status).toBe(403);
    expect((await b.post("/app/transfer/subscription/calendar/renew", { _csrf: token })).status).toBe(303);
    const url = (p: string) => /value="(https:\/\/caldav\.test\/subscribe\/[^"]+)"/.exec(p)?.[1];
    const first = url(await (await b.fetch("/app/transfer")).text())!;
    expect(first).toBeTruthy();
    expect((await dav("GET", new URL(first).pathname)).status).toBe(200);
    await b.post("/app/transfer/subscription/calendar/renew", { _csrf: token });
    const second = url(await (await b.fetch("/app/transfer")).text())!;
    expect(second).not.toBe(first);
    expect((await dav("GET", new URL(first).pathname)).status).toBe(404);
    await b.post("/app/transfer/subscription/calendar/off", { _csrf: token });
    expect(url(await (await b.fetch("/app/transfer")).text())).toBeUndefined();
    expect((await dav("GET", new URL(second).pathname)).status).toBe(404);
  });
});
