// iMIP against the server started the README's way ("E-mail (iMIP)": wrangler
// dev with IMIP_FROM and IMIP_SECRET): an invitation to an outside address is
// written by the simulated send_email binding as a .eml under the server's
// .wrangler/tmp/email/, and a reply posted to wrangler's inbound endpoint
// (/cdn-cgi/handler/email, which runs the Worker's email() handler) to the
// reply address of that .eml changes the organizer's copy.
import PostalMime from "postal-mime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addUser, basic, sentEmails, startServer, type Credentials, type TestServer } from "./server.js";

let server: TestServer;
let olivia: Credentials;
const GUEST = "guest@elsewhere.test";
const UID = `imip-http-${Date.now()}@example.com`;

beforeAll(async () => {
  // The public URL is the one links name; the test reaches the same paths on the local port.
  server = await startServer({ vars: { IMIP_FROM: "calendar@example.com", IMIP_SECRET: "http-test-secret", IMIP_URL: "https://caldav.example.com" } });
  olivia = await addUser(server, "olivia", { password: "pw-olivia", emails: ["olivia@example.com"], name: "Olivia" });
});

afterAll(async () => {
  await server?.stop();
});

async function until<T>(probe: () => T | Promise<T>, ok: (v: T) => boolean, what: string, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${server.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const copyUrl = () => `${server.url}/calendars/olivia/calendar/http-imip.ics`;

describe("iMIP through wrangler dev", () => {
  it("writes the invitation as a .eml under .wrangler/tmp/email/, and a reply posted to /cdn-cgi/handler/email updates the organizer's copy", async () => {
    const body = [
      "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//edge-caldav http test//EN", "BEGIN:VEVENT", `UID:${UID}`, "DTSTAMP:20261207T090000Z",
      "DTSTART:20270115T090000Z", "DTEND:20270115T100000Z", "SUMMARY:Review", "ORGANIZER;CN=Olivia:mailto:olivia@example.com",
      "ATTENDEE;CN=Olivia;PARTSTAT=ACCEPTED:mailto:olivia@example.com", `ATTENDEE;CN=Guest;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:${GUEST}`,
      "END:VEVENT", "END:VCALENDAR", "",
    ].join("\r\n");
    const put = await fetch(copyUrl(), { method: "PUT", headers: { Authorization: basic(olivia), "Content-Type": "text/calendar" }, body });
    expect(put.status).toBe(201);

    const file = await until(() => sentEmails(server).find((f) => f.text.includes(GUEST)), (f) => !!f, "the .eml");
    expect(file!.path).toContain("/.wrangler/tmp/email/");
    const eml = file!.text;
    expect(eml).toMatch(/Content-Type: text\/calendar; charset=utf-8; method=REQUEST/);
    const replyTo = /^Reply-To: <([^>]+)>/m.exec(eml)?.[1];
    expect(replyTo).toMatch(/^calendar\+[a-z2-7]+@example\.com$/);

    const ics = [
      "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Some Mail Client//EN", "METHOD:REPLY", "BEGIN:VEVENT", `UID:${UID}`, "DTSTAMP:20261207T100000Z",
      "DTSTART:20270115T090000Z", "DTEND:20270115T100000Z", "SUMMARY:Review", "ORGANIZER;CN=Olivia:mailto:olivia@example.com",
      `ATTENDEE;CN=Guest;PARTSTAT=ACCEPTED:mailto:${GUEST}`, "END:VEVENT", "END:VCALENDAR", "",
    ].join("\r\n");
    // Sent from another address than the attendee's (a relay): only the token in the reply address vouches for it.
    const raw = [
      "From: Guest <relay@forwarder.test>", `To: ${replyTo}`, "Subject: Accepted: Review", `Message-ID: <reply-${Date.now()}@forwarder.test>`,
      "Date: Mon, 7 Dec 2026 10:00:00 +0000", "MIME-Version: 1.0", 'Content-Type: text/calendar; charset="utf-8"; method=REPLY',
      "Content-Transfer-Encoding: 7bit", "", ics,
    ].join("\r\n");
    const posted = await fetch(`${server.url}/cdn-cgi/handler/email?from=relay@forwarder.test&to=${encodeURIComponent(replyTo!)}`, { method: "POST", body: raw });
    expect(posted.status, await posted.clone().text()).toBeLessThan(300);

    const copy = await until(async () => (await fetch(copyUrl(), { headers: { Authorization: basic(olivia) } })).text(),
      (t) => /PARTSTAT=ACCEPTED[^\r\n]*:mailto:guest@elsewhere\.test/.test(t.replace(/\r\n /g, "")), "the guest's answer in the organizer's copy");
    expect(copy.replace(/\r\n /g, "")).toMatch(/SCHEDULE-STATUS=2\.0[^\r\n]*:mailto:guest@elsewhere\.test|PARTSTAT=ACCEPTED;[^\r\n]*SCHEDULE-STATUS=2\.0/);
  });

  it("follows the Accept link of an e-mailed invitation: the page shows the event, confirming changes the organizer's copy", async () => {
    const guest = "rsvp-guest@elsewhere.test";
    const uid = `imip-rsvp-${Date.now()}@example.com`;
    const url = `${server.url}/calendars/olivia/calendar/http-rsvp.ics`;
    const body = [
      "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//edge-caldav http test//EN", "BEGIN:VEVENT", `UID:${uid}`, "DTSTAMP:20261207T090000Z",
      "DTSTART:20270116T090000Z", "DTEND:20270116T100000Z", "SUMMARY:Walk", "ORGANIZER;CN=Olivia:mailto:olivia@example.com",
      "ATTENDEE;CN=Olivia;PARTSTAT=ACCEPTED:mailto:olivia@example.com", `ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:${guest}`,
      "END:VEVENT", "END:VCALENDAR", "",
    ].join("\r\n");
    expect((await fetch(url, { method: "PUT", headers: { Authorization: basic(olivia), "Content-Type": "text/calendar" }, body })).status).toBe(201);
    const file = await until(() => sentEmails(server).find((f) => f.text.includes(guest)), (f) => !!f, "the invitation's .eml");
    const mail = await PostalMime.parse(file!.text);
    const accept = /^Accept: (https:\/\/caldav\.example\.com(\/rsvp\/\S+))$/m.exec(mail.text ?? "");
    expect(accept, mail.text).not.toBeNull();
    const link = `${server.url}${accept![2]}`;

    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Walk");
    const done = await fetch(link, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "answer=accept" });
    expect(done.status).toBe(200);
    await until(async () => (await fetch(url, { headers: { Authorization: basic(olivia) } })).text(),
      (t) => new RegExp(`PARTSTAT=ACCEPTED[^\\r\\n]*:mailto:${guest.replace(/\./g, "\\.")}`).test(t.replace(/\r\n /g, "")), "the answer in the organizer's copy");
    const again = await fetch(link, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "answer=decline" });
    expect(again.status, "a used link changes nothing").toBe(410);
  });
});
