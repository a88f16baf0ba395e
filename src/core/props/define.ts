// Small builders for property definitions, so each table entry is one line
// of intent rather than a hand-written object.
import type { Clark } from "../xml/names.js";
import { el, type XmlElement, type XmlNode } from "../xml/tree.js";
import { propsOf, type PropContext, type PropertyDef, type Resource, type ResourceKind } from "./types.js";

export const COLLECTIONS: readonly ResourceKind[] = ["root", "principals", "calendars", "principal", "home", "calendar", "inbox", "outbox", "notifications"];
export const ALL: readonly ResourceKind[] = [...COLLECTIONS, "proxy-group", "object", "notification"];
export const CALENDARISH: readonly ResourceKind[] = ["calendar", "inbox", "outbox"];

type Getter = (r: Resource, ctx: PropContext) => XmlNode[] | undefined;

/** A protected, computed property: the getter returns the element's children. */
export function live(name: Clark, on: readonly ResourceKind[], get: Getter, allprop = false): PropertyDef {
  return {
    name,
    on,
    allprop,
    protected: true,
    get: (r, ctx) => {
      const children = get(r, ctx);
      return children === undefined ? undefined : el(name, children);
    },
  };
}

/** A writable property kept in the resource's property store, with a validator. */
export function stored(
  name: Clark,
  on: readonly ResourceKind[],
  validate?: (value: XmlElement, r: Resource) => void,
  fallback?: (r: Resource) => XmlElement | undefined,
  allprop = true,
): PropertyDef {
  return {
    name,
    on,
    allprop,
    protected: false,
    get: (r) => propsOf(r)?.[name] ?? fallback?.(r),
    ...(validate ? { validate } : {}),
  };
}

export const hrefEl = (href: string): XmlElement => el("{DAV:}href", [href]);
