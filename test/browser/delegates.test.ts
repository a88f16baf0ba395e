// Delegates on the web page in real Chromium (calendar-proxy, README
// "Delegation"): the boss adds a read-write delegate through the page (the
// PROPPATCH of group-member-set a client sends); the delegate reaches the
// boss's calendar over DAV and finds the boss under "Calendars you manage for
// others"; the boss removes the delegate and the next DAV request is 404.
// axe-core on the page.
import { beforeAll, describe, expect, it } from "vitest";
import { dav, expectAccessible, newPage, newUser, screenshots, signIn, useBrowser, type Credentials } from "./harness.js";

const DEPTH0 = '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:displayname/></D:prop></D:propfind>';

describe("delegates", () => {
  const browser = useBrowser();
  let boss: Credentials & { emails: string[] };
  let helper: Credentials & { emails: string[] };
  beforeAll(async () => {
    [boss, helper] = await Promise.all([newUser("boss", { name: "Boss Example" }), newUser("helper", { name: "Helper Example" })]);
  });

  /** The status of the delegate's PROPFIND of the boss's calendar. */
  const helperReadsBoss = async () => {
    const res = await dav("PROPFIND", `/calendars/${boss.username}/calendar/`, helper, DEPTH0, { Depth: "0" });
    await res.arrayBuffer();
    return res.status;
  };

  it("the boss adds a read-write delegate, who then reads the boss's calendar and sees whom it manages for; removing it ends that", async () => {
    expect(await helperReadsBoss()).toBe(404);
    const page = await newPage(browser());
    await signIn(page, boss, "/app/");
    await page.getByRole("link", { name: "Delegates" }).click();
    await page.waitForURL((u) => u.pathname === "/app/delegates");
    await expectAccessible(page);
    await page.getByLabel("Account name or e-mail address").fill(helper.username);
    await page.getByLabel("Read and write").check();
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await page.waitForURL((u) => u.searchParams.get("done") === "added");
    await expect.poll(() => page.getByRole("row", { name: /Helper Example/ }).count()).toBe(1);
    await screenshots(page, "delegates");
    await expectAccessible(page);
    expect(await helperReadsBoss()).toBe(207);

    const theirs = await newPage(browser());
    await signIn(theirs, helper, "/app/delegates");
    await expect.poll(() => theirs.locator("main").textContent()).toContain("Boss Example");

    await page.getByRole("button", { name: "Remove Helper Example" }).click();
    await page.waitForURL((u) => u.searchParams.get("done") === "removed");
    expect(await helperReadsBoss()).toBe(404);
  });
});
