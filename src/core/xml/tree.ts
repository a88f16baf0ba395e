// The in-memory XML element tree shared by the parser and the writer.
import type { Clark } from "./names.js";

export interface XmlElement {
  name: Clark;
  /** Attributes by Clark name (unprefixed attributes have no namespace). */
  attrs: Record<Clark, string>;
  children: XmlNode[];
}

export type XmlNode = XmlElement | string;

export const el = (name: Clark, children: XmlNode[] = [], attrs: Record<Clark, string> = {}): XmlElement => ({
  name,
  attrs,
  children,
});

export const isElement = (n: XmlNode | undefined): n is XmlElement => typeof n === "object" && n !== null;

export const childElements = (e: XmlElement): XmlElement[] => e.children.filter(isElement);

export const child = (e: XmlElement, name: Clark): XmlElement | undefined =>
  e.children.find((c): c is XmlElement => isElement(c) && c.name === name);

export const childrenNamed = (e: XmlElement, name: Clark): XmlElement[] =>
  e.children.filter((c): c is XmlElement => isElement(c) && c.name === name);

/** Concatenated character data of an element and its descendants. */
export function textOf(e: XmlElement): string {
  let s = "";
  for (const c of e.children) s += typeof c === "string" ? c : textOf(c);
  return s;
}
