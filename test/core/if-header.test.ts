// The If header's grammar and verdict (RFC 4918 §10.4): untagged and tagged
// lists, Not, state tokens (never held: no locks here), entity tags compared
// weakly, and what does not parse.
import { describe, expect, it } from "vitest";
import { ifHeaderHolds, MAX_IF_CONDITIONS, parseIfHeader, resourcesToLookUp } from "../../src/core/if-header.js";

const E = '"abc"';
const at = (etag: string | null, others: Record<string, string | null> = {}) => new Map<string | null, string | null>([[null, etag], ...Object.entries(others)]);
const holds = (header: string, etag: string | null, others: Record<string, string | null> = {}) => {
  const lists = parseIfHeader(header);
  if (!lists) throw new Error(`did not parse: ${header}`);
  return ifHeaderHolds(lists, at(etag, others));
};

describe("If header grammar (RFC 4918 §10.4.2)", () => {
  it("parses untagged lists of state tokens and entity tags, with Not, in any case and spacing", () => {
    expect(parseIfHeader('(<urn:uuid:181d4fae-7d8c-11d0-a765-00a0c91e6bf2> ["I am an ETag"]) (["I am another ETag"])')).toEqual([
      { resource: null, conditions: [{ not: false, kind: "token", uri: "urn:uuid:181d4fae-7d8c-11d0-a765-00a0c91e6bf2" }, { not: false, kind: "etag", tag: '"I am an ETag"' }] },
      { resource: null, conditions: [{ not: false, kind: "etag", tag: '"I am another ETag"' }] },
    ]);
    expect(parseIfHeader("(Not <DAV:no-lock>)")).toEqual([{ resource: null, conditions: [{ not: true, kind: "token", uri: "DAV:no-lock" }] }]);
    expect(parseIfHeader('  ( not  [ W/"x" ] )  ')).toEqual([{ resource: null, conditions: [{ not: true, kind: "etag", tag: 'W/"x"' }] }]);
  });

  it("parses tagged lists (§10.4.2 example), each list about the resource its tag names", () => {
    const lists = parseIfHeader('<http://example.com/locked/> (<urn:x>) <http://example.com/other> (["e1"]) (Not ["e2"])');
    expect(lists?.map((l) => l.resource)).toEqual(["http://example.com/locked/", "http://example.com/other", "http://example.com/other"]);
  });

  it("refuses what does not follow the grammar", () => {
    for (const bad of ["", "   ", "(", "()", "(<>)", "((", "(Not)", "<", "<http://x/>", "<http://x/> <http://y/> (<urn:a>)", '(["x"]) <http://x/> (["y"])',
      '<http://x/> (["x"]) (<urn:a>) x', "([x])", '(["x")', "(Nothing <urn:a>)", "xxxx", "(<urn:a> <urn:b>", '(["a"]) junk'])
      expect(parseIfHeader(bad), bad).toBeNull();
  });

  it(`refuses more than ${MAX_IF_CONDITIONS} conditions`, () => {
    expect(parseIfHeader(`(${'["a"] '.repeat(MAX_IF_CONDITIONS)})`)).not.toBeNull();
    expect(parseIfHeader(`(${'["a"] '.repeat(MAX_IF_CONDITIONS + 1)})`)).toBeNull();
  });
});

describe("If header verdict (RFC 4918 §10.4.3, §10.4.8): any list, all of its conditions", () => {
  it("an entity tag holds only for the resource's current one, compared weakly", () => {
    expect(holds(`([${E}])`, E)).toBe(true);
    expect(holds('(["other"])', E)).toBe(false);
    expect(holds(`([W/${E}])`, E)).toBe(true);
    expect(holds(`([${E}])`, null)).toBe(false);
    expect(holds(`(Not [${E}])`, null)).toBe(true);
    expect(holds(`(Not [${E}])`, E)).toBe(false);
  });

  it("no state token is held (no locks), so Not <token> holds, DAV:no-lock included", () => {
    expect(holds("(<urn:uuid:1>)", E)).toBe(false);
    expect(holds("(<DAV:no-lock>)", E)).toBe(false);
    expect(holds("(Not <DAV:no-lock>)", E)).toBe(true);
    expect(holds(`(<urn:uuid:1> [${E}]) (Not <DAV:no-lock> [${E}])`, E)).toBe(true);
    expect(holds(`(<urn:uuid:1> [${E}]) (Not <DAV:no-lock> ["x"])`, E)).toBe(false);
  });

  it("a tagged list is judged on the tagged resource's entity tag", () => {
    expect(holds(`<http://h/a> ([${E}])`, null, { "http://h/a": E })).toBe(true);
    expect(holds(`<http://h/a> ([${E}])`, E, { "http://h/a": null })).toBe(false);
  });

  it("names the resources whose entity tags matter, none for tokens alone", () => {
    expect(resourcesToLookUp(parseIfHeader("(Not <DAV:no-lock>)")!)).toEqual([]);
    expect(resourcesToLookUp(parseIfHeader(`<http://h/a> ([${E}]) <http://h/b> (<urn:x>) <http://h/a> (["y"])`)!)).toEqual(["http://h/a"]);
  });
});

describe("HTTP-dates of If-Modified-Since and If-Unmodified-Since (RFC 9110 §5.6.7)", () => {
  it("reads the three forms as the same instant, in GMT, and ignores what is not a date", async () => {
    const { httpDate } = await import("../../src/core/conditional.js");
    const at = Date.UTC(1994, 10, 6, 8, 49, 37);
    for (const form of ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"]) expect(httpDate(form), form).toBe(at);
    for (const bad of [null, "", "yesterday", "2026", "1994-11-06T08:49:37Z", "Sun, 99 Nov 1994 99:99:99 GMT"]) expect(httpDate(bad), String(bad)).toBeNull();
  });
});

describe("If-Match and If-None-Match on a resource that may have no entity tag (RFC 9110 §13.1.1, §13.1.2)", () => {
  it("If-Match: * needs the resource, a tag needs its tag (strongly); If-None-Match fails on either (weakly)", async () => {
    const { checkResourceConditions } = await import("../../src/core/conditional.js");
    const verdict = (current: { etag: string | null } | null, cond: Parameters<typeof checkResourceConditions>[1]) => {
      try {
        checkResourceConditions(current, cond);
        return "ok";
      } catch (e) {
        return (e as { status: number }).status;
      }
    };
    const obj = { etag: E };
    const col = { etag: null };
    expect(verdict(obj, { ifMatch: [E] })).toBe("ok");
    expect(verdict(obj, { ifMatch: [`W/${E}`] })).toBe(412);
    expect(verdict(col, { ifMatch: "*" })).toBe("ok");
    expect(verdict(col, { ifMatch: [E] })).toBe(412);
    expect(verdict(null, { ifMatch: "*" })).toBe(412);
    expect(verdict(obj, { ifNoneMatch: [`W/${E}`] })).toBe(412);
    expect(verdict(obj, { ifNoneMatch: ['"other"'] })).toBe("ok");
    expect(verdict(col, { ifNoneMatch: "*" })).toBe(412);
    expect(verdict(null, { ifNoneMatch: "*" })).toBe("ok");
  });
});
