// XML names in Clark notation ("{namespace}local"), the namespaces this server
// speaks, and the fixed prefixes the writer uses for them.

export type Clark = string;

export const NS = {
  DAV: "DAV:",
  CALDAV: "urn:ietf:params:xml:ns:caldav",
  CS: "http://calendarserver.org/ns/",
  ICAL: "http://apple.com/ns/ical/",
  ME: "http://me.com/_namespace/",
  XML: "http://www.w3.org/XML/1998/namespace",
  /** This server's own properties (the person's timezone, props/personal.ts). */
  EDGE: "urn:x-edge-caldav:",
} as const;

/** Prefixes used on output; any other namespace gets a generated one. */
export const PREFIXES: Readonly<Record<string, string>> = {
  [NS.DAV]: "D",
  [NS.CALDAV]: "C",
  [NS.CS]: "CS",
  [NS.ICAL]: "ICAL",
  [NS.ME]: "ME",
  [NS.XML]: "xml",
  [NS.EDGE]: "E",
};

export const clark = (ns: string, local: string): Clark => `{${ns}}${local}`;
export const dav = (local: string): Clark => clark(NS.DAV, local);
export const caldav = (local: string): Clark => clark(NS.CALDAV, local);
export const cs = (local: string): Clark => clark(NS.CS, local);
export const ical = (local: string): Clark => clark(NS.ICAL, local);

/** Splits a Clark name; a name without "{...}" is in no namespace. */
export function splitClark(name: Clark): { ns: string; local: string } {
  if (!name.startsWith("{")) return { ns: "", local: name };
  const end = name.indexOf("}");
  return { ns: name.slice(1, end), local: name.slice(end + 1) };
}
