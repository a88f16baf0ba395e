// The one XML writer (src/core/xml/write.ts) and the multistatus written as
// text (MultistatusText): what they write parses back, namespace for
// namespace, to the tree it was made from (Namespaces in XML 1.0 §3, §6;
// RFC 4918 §14.16 multistatus, §14.22 propstat, §14.24 response).
import { describe, expect, it } from "vitest";
import { MultistatusText, multistatus, propstatResponse, statusLine, statusResponse } from "../../../src/core/xml/multistatus.js";
import { parseXml } from "../../../src/core/xml/parse.js";
import { el, type XmlElement } from "../../../src/core/xml/tree.js";
import { writeXml, xmlText, XmlWriter } from "../../../src/core/xml/write.js";

const FIXTURES = import.meta.glob<string>("../../fixtures/**/*.ics", { query: "?raw", import: "default", eager: true });

const D = (l: string) => `{DAV:}${l}`;
const X = (l: string) => `{urn:example:x}${l}`;
const Y = (l: string) => `{http://example.com/y?a&b}${l}`;

/** Trees compared without the whitespace-only text the parser may keep. */
const strip = (e: XmlElement): XmlElement => ({
  name: e.name,
  attrs: e.attrs,
  children: e.children.filter((c) => typeof c !== "string" || c.trim() !== "").map((c) => (typeof c === "string" ? c : strip(c))),
});

describe("XmlWriter", () => {
  it("writes a document that parses back to the same tree, known and unknown namespaces alike", () => {
    const doc = el(D("multistatus"), [
      el(D("response"), [
        el(D("href"), ["/a b&c<d>"]),
        el(X("thing"), [el(Y("inner"), ["text"]), el(X("again"))], { "{http://www.w3.org/XML/1998/namespace}lang": "en", plain: 'q"<' }),
        el("{}nonamespace", ["x"]),
      ]),
    ]);
    const text = writeXml(doc);
    expect(text.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<D:multistatus xmlns:D="DAV:"')).toBe(true);
    expect(text).not.toContain("xmlns:xml=");
    expect(strip(parseXml(text))).toEqual(doc);
  });

  it("declares a namespace without a fixed prefix on the fragment that uses it, so fragments stand alone", () => {
    const w = new XmlWriter();
    const a = w.fragment(el(X("a"), [el(X("b"))]));
    const b = w.fragment(el(Y("c")));
    expect(a).toBe('<x0:a xmlns:x0="urn:example:x"><x0:b/></x0:a>');
    expect(b).toBe('<x0:c xmlns:x0="http://example.com/y?a&amp;b"/>');
    // A fragment of fixed prefixes after one that declared its own carries no declaration of the other's.
    const c = w.fragment(el(D("getetag"), ['"e"']));
    expect(c).toBe('<D:getetag>"e"</D:getetag>');
    expect(w.fragment(el(X("d")))).toBe('<x0:d xmlns:x0="urn:example:x"/>');
    const doc = w.document(el(D("multistatus")), [a, b, c]);
    expect(strip(parseXml(doc))).toEqual(el(D("multistatus"), [el(X("a"), [el(X("b"))]), el(Y("c")), el(D("getetag"), ['"e"'])]));
  });

  it("writes each status line of RFC 9110 §15 with its reason phrase, the same each time", () => {
    expect([200, 404, 507, 299].map(statusLine)).toEqual(["HTTP/1.1 200 OK", "HTTP/1.1 404 Not Found", "HTTP/1.1 507 Insufficient Storage", "HTTP/1.1 299"]);
    expect(statusLine(404)).toBe("HTTP/1.1 404 Not Found");
  });

  it("escapes calendar data as one pass over every character would: markup, CRs as references, invalid characters dropped (XML 1.0 §2.2, §2.4, §2.11)", () => {
    const oneByOne = (s: string) => [...s].map((c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;" })[c] ?? (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(c) ? "" : c)).join("");
    const texts = Object.values(FIXTURES);
    expect(texts.length).toBeGreaterThan(20);
    const crlf = texts.map((t) => t.replace(/\r?\n/g, "\r\n"));
    const odd = ["a\r\nb", "x & y\r\n", "<b>\r", "\u0001\r\n", "\uFFFE\r", "plain", "", "tab\tand\nLF"];
    for (const t of [...texts, ...crlf, ...odd]) expect(xmlText(t)).toBe(oneByOne(t));
  });

  it("drops characters XML 1.0 cannot carry and keeps a CR as a reference (XML 1.0 §2.2, §2.11)", () => {
    const text = writeXml(el(D("displayname"), ["a\u0001b\rc"]));
    expect(text).toContain("ab&#13;c");
    expect(parseXml(text).children).toEqual(["ab\rc"]);
  });
});

describe("MultistatusText", () => {
  it("writes the same multistatus as the tree builders (RFC 4918 §14.16)", () => {
    const groups = [
      { status: 200, props: [el(D("getetag"), ['"e1"']), el(X("color"), ["#fff"])] },
      { status: 404, props: [el(Y("missing"))] },
      { status: 403, props: [], description: "nothing" },
    ];
    const err = el(D("number-of-matches-within-limits"));
    const out = new MultistatusText();
    out.propstat("/cal/a.ics", groups);
    out.propstat("/cal/empty.ics", []);
    out.status("/cal/gone.ics", 404);
    out.status("/cal/", 507, err);
    const token = el(D("sync-token"), ["urn:x:1"]);
    const tree = el(D("multistatus"), [
      propstatResponse("/cal/a.ics", groups),
      propstatResponse("/cal/empty.ics", []),
      statusResponse("/cal/gone.ics", 404),
      statusResponse("/cal/", 507, err),
      token,
    ]);
    expect(out.size).toBe(4);
    expect(strip(parseXml(out.text([token])))).toEqual(strip(parseXml(writeXml(tree))));
    expect(strip(parseXml(new MultistatusText().text()))).toEqual(multistatus([]));
  });
});
