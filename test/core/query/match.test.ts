// The calendar-query filter semantics of RFC 4791 §9.7.1-§9.7.5: comp-filter
// (is-not-defined, nesting, anyof/allof), prop-filter (is-not-defined,
// text-match, param-filter, multi-valued properties), param-filter and
// text-match collations (RFC 4790 i;ascii-casemap and i;octet, RFC 5051
// i;unicode-casemap), negate-condition and match-type.
import { describe, expect, it } from "vitest";
import { cal, filter, fixture, matches, vevent } from "./helpers.js";

const event = cal(vevent(
  "DTSTART:20250110T100000Z", "DURATION:PT1H", "SUMMARY:Team Meeting über Straße", "CATEGORIES:Work,Project X", "CATEGORIES:Blue",
  "ORGANIZER;CN=Anna:mailto:anna@example.com",
  'ATTENDEE;PARTSTAT=ACCEPTED;MEMBER="mailto:team@example.com","mailto:all@example.com":mailto:ben@example.com',
  "ATTENDEE;PARTSTAT=DECLINED:mailto:cleo@example.com", "X-CUSTOM;X-FLAG=on:Some:Value",
  "BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:Reminder", "TRIGGER:-PT5M", "END:VALARM",
));

const inEvent = (inner: string, test = "") => filter(`<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"${test}>${inner}</C:comp-filter></C:comp-filter>`);
const text = (prop: string, value: string, attrs = "") => inEvent(`<C:prop-filter name="${prop}"><C:text-match${attrs}>${value}</C:text-match></C:prop-filter>`);

describe("comp-filter (RFC 4791 §9.7.1)", () => {
  it("matches when a component of that name exists, is-not-defined when none does", () => {
    const vtodo = filter(`<C:comp-filter name="VCALENDAR"><C:comp-filter name="VTODO"/></C:comp-filter>`);
    const noTodo = filter(`<C:comp-filter name="VCALENDAR"><C:comp-filter name="VTODO"><C:is-not-defined/></C:comp-filter></C:comp-filter>`);
    expect(matches(event, vtodo)).toBe(false);
    expect(matches(event, noTodo)).toBe(true);
    expect(matches(fixture("rfc4791-b-todo-due.ics"), noTodo)).toBe(false);
  });
  it("nests: VALARM inside VEVENT, and VALARM is-not-defined", () => {
    expect(matches(event, inEvent(`<C:comp-filter name="VALARM"/>`))).toBe(true);
    expect(matches(event, inEvent(`<C:comp-filter name="VALARM"><C:is-not-defined/></C:comp-filter>`))).toBe(false);
    expect(matches(event, inEvent(`<C:comp-filter name="VALARM"><C:prop-filter name="ACTION"><C:text-match>DISPLAY</C:text-match></C:prop-filter></C:comp-filter>`))).toBe(true);
  });
  it("all tests by default (allof), any with test=\"anyof\"", () => {
    const both = `<C:prop-filter name="SUMMARY"><C:text-match>meeting</C:text-match></C:prop-filter>
      <C:prop-filter name="LOCATION"/>`;
    expect(matches(event, inEvent(both))).toBe(false);
    expect(matches(event, inEvent(both, ' test="anyof"'))).toBe(true);
    expect(matches(event, inEvent(`<C:prop-filter name="LOCATION"/><C:prop-filter name="GEO"/>`, ' test="anyof"'))).toBe(false);
  });
  it("VCALENDAR-level prop-filters", () => {
    expect(matches(event, filter(`<C:comp-filter name="VCALENDAR"><C:prop-filter name="VERSION"><C:text-match collation="i;octet">2.0</C:text-match></C:prop-filter></C:comp-filter>`))).toBe(true);
    expect(matches(event, filter(`<C:comp-filter name="VCALENDAR"><C:prop-filter name="METHOD"/></C:comp-filter>`))).toBe(false);
  });
  it("VTIMEZONE exists when a TZID refers to one (the object's VTIMEZONEs are hoisted into the registry)", () => {
    const tz = filter(`<C:comp-filter name="VCALENDAR"><C:comp-filter name="VTIMEZONE"/></C:comp-filter>`);
    expect(matches(fixture("rfc4791-b-event1.ics"), tz)).toBe(true);
    expect(matches(event, tz)).toBe(false);
  });
});

describe("prop-filter and param-filter (RFC 4791 §9.7.2, §9.7.3)", () => {
  it("is-not-defined", () => {
    expect(matches(event, inEvent(`<C:prop-filter name="LOCATION"><C:is-not-defined/></C:prop-filter>`))).toBe(true);
    expect(matches(event, inEvent(`<C:prop-filter name="SUMMARY"><C:is-not-defined/></C:prop-filter>`))).toBe(false);
  });
  it("any property of that name may match (two ATTENDEEs)", () => {
    expect(matches(event, text("ATTENDEE", "cleo"))).toBe(true);
    const declined = inEvent(`<C:prop-filter name="ATTENDEE"><C:text-match>ben</C:text-match>
      <C:param-filter name="PARTSTAT"><C:text-match>DECLINED</C:text-match></C:param-filter></C:prop-filter>`);
    expect(matches(event, declined)).toBe(false); // ben accepted; cleo declined: not the same property
  });
  it("any value of a multi-valued property (CATEGORIES)", () => {
    expect(matches(event, text("CATEGORIES", "project x", ' match-type="equals"'))).toBe(true);
    expect(matches(event, text("CATEGORIES", "blue", ' match-type="equals"'))).toBe(true);
    expect(matches(event, text("CATEGORIES", "Work,Project", ' match-type="equals"'))).toBe(false);
  });
  it("param-filter is-not-defined and text-match, multi-valued parameters", () => {
    const p = (inner: string) => inEvent(`<C:prop-filter name="ORGANIZER">${inner}</C:prop-filter>`);
    expect(matches(event, p(`<C:param-filter name="CN"><C:text-match>anna</C:text-match></C:param-filter>`))).toBe(true);
    expect(matches(event, p(`<C:param-filter name="SENT-BY"><C:is-not-defined/></C:param-filter>`))).toBe(true);
    expect(matches(event, p(`<C:param-filter name="CN"><C:is-not-defined/></C:param-filter>`))).toBe(false);
    expect(matches(event, p(`<C:param-filter name="SENT-BY"/>`))).toBe(false);
    const member = inEvent(`<C:prop-filter name="ATTENDEE"><C:param-filter name="MEMBER"><C:text-match match-type="equals">mailto:all@example.com</C:text-match></C:param-filter></C:prop-filter>`);
    expect(matches(event, member)).toBe(true);
  });
  it("matches the text of non-text values as written in iCalendar (X- properties, dates, rules)", () => {
    expect(matches(event, text("X-CUSTOM", "Some:Value", ' match-type="equals" collation="i;octet"'))).toBe(true);
    expect(matches(event, text("DTSTART", "20250110T100000Z", ' match-type="equals"'))).toBe(true);
    expect(matches(fixture("rfc4791-b-event2-recurring.ics"), text("RRULE", "FREQ=DAILY"))).toBe(true);
  });
});

describe("text-match (RFC 4791 §9.7.5, RFC 4790, RFC 5051)", () => {
  it("i;ascii-casemap (the default) folds ASCII letters only", () => {
    expect(matches(event, text("SUMMARY", "TEAM MEETING"))).toBe(true);
    expect(matches(event, text("SUMMARY", "ÜBER"))).toBe(false);
    expect(matches(event, text("SUMMARY", "über"))).toBe(true);
  });
  it("i;octet is exact", () => {
    expect(matches(event, text("SUMMARY", "Team Meeting", ' collation="i;octet"'))).toBe(true);
    expect(matches(event, text("SUMMARY", "team meeting", ' collation="i;octet"'))).toBe(false);
  });
  it("i;unicode-casemap folds Unicode case and compatibility forms", () => {
    expect(matches(event, text("SUMMARY", "ÜBER STRASSE", ' collation="i;unicode-casemap"'))).toBe(true);
    expect(matches(event, text("SUMMARY", "u\u0308ber", ' collation="i;unicode-casemap"'))).toBe(true);
  });
  it("substring by default; equals, starts-with and ends-with", () => {
    expect(matches(event, text("SUMMARY", "Meeting"))).toBe(true);
    expect(matches(event, text("SUMMARY", "Meeting", ' match-type="equals"'))).toBe(false);
    expect(matches(event, text("SUMMARY", "team meeting über straße", ' match-type="equals"'))).toBe(true);
    expect(matches(event, text("SUMMARY", "team", ' match-type="starts-with"'))).toBe(true);
    expect(matches(event, text("SUMMARY", "meeting", ' match-type="starts-with"'))).toBe(false);
    expect(matches(event, text("SUMMARY", "straße", ' match-type="ends-with"'))).toBe(true);
  });
  it("negate-condition inverts the match for the property", () => {
    expect(matches(event, text("SUMMARY", "meeting", ' negate-condition="yes"'))).toBe(false);
    expect(matches(event, text("SUMMARY", "party", ' negate-condition="yes"'))).toBe(true);
    expect(matches(event, text("CATEGORIES", "blue", ' negate-condition="yes"'))).toBe(true); // the other CATEGORIES property
    expect(matches(event, text("DESCRIPTION", "x", ' negate-condition="yes"'))).toBe(false); // no such property
  });
});
