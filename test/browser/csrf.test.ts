// The page's forms are refused without the session's CSRF token (403), and a
// state-changing request from another origin is refused even with it; the
// page is served with a strict Content-Security-Policy.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { homeListing, launchBrowser, newPage, newUser, signIn } from "./harness.js";

describe("CSRF and CSP", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("refuses a form post without the CSRF token (403) and changes nothing", async () => {
    const u = await newUser("eve");
    const page = await newPage(browser);
    await signIn(page, u, "/app/calendars");
    const answer = await page.evaluate(async () => {
      const res = await fetch("/app/calendars", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: "name=Forged&color=%23000000&comp=VEVENT",
      });
      return { status: res.status, text: await res.text() };
    });
    expect(answer.status).toBe(403);
    expect(answer.text).toContain("reload the page");
    expect([...(await homeListing(u)).keys()].some((h) => h.includes("forged"))).toBe(false);

    // With the token the same form works: the refusal was the token's.
    const token = await page.locator('input[name="_csrf"]').first().getAttribute("value");
    const ok = await page.evaluate(async (t) => {
      const res = await fetch("/app/calendars", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: `_csrf=${encodeURIComponent(t!)}&name=Real&color=%23000000&comp=VEVENT`,
        redirect: "manual",
      });
      return String(res.type) === "opaqueredirect" ? 303 : res.status;
    }, token);
    expect(ok).toBe(303);
    expect((await homeListing(u)).has(`/calendars/${u.username}/real/`)).toBe(true);
  });

  it("serves every page with a CSP that forbids inline script", async () => {
    const page = await newPage(browser);
    const res = await page.goto("/app/sign-in");
    const csp = res!.headers()["content-security-policy"]!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain("frame-ancestors 'none'");
  });
});
