// The shapes the property table works on: a resolved resource with the data
// its properties need, and what the requester is.
import type { CollectionInfo, HomeInfo, ObjectInfo, Principal, PropMap } from "../model.js";
import type { MountInfo, NotificationInfo } from "../sharing/model.js";
import type { Delegation, ProxyKind } from "../delegation/model.js";
import type { Clark } from "../xml/names.js";
import type { XmlElement } from "../xml/tree.js";

export type ResourceKind =
  | "root"
  | "principals"
  | "calendars"
  | "principal"
  | "proxy-group"
  | "home"
  | "calendar"
  | "inbox"
  | "outbox"
  | "object"
  | "notifications"
  | "notification";

export type Resource =
  | { kind: "root" | "principals" | "calendars"; href: string }
  /** `delegation`: its proxy groups and whom it is a delegate of, when read (core/delegation). */
  | { kind: "principal"; href: string; principal: Principal; props: PropMap; delegation?: Delegation | undefined }
  /** A principal's calendar-proxy-read or -write group (core/delegation): `members` are its delegates' ids. */
  | { kind: "proxy-group"; href: string; principal: Principal; group: ProxyKind; members: string[] }
  /** `proxy`: the requester is a delegate of the owner, with this access (decided by the owner's home for this request; a collection says it in CollectionInfo.proxy). */
  | { kind: "home"; href: string; owner: Principal; home: HomeInfo; collections?: CollectionInfo[] | undefined; mounts?: MountInfo[] | undefined; proxy?: ProxyKind | undefined }
  | {
      kind: "calendar" | "inbox" | "outbox";
      href: string;
      owner: Principal;
      home: HomeInfo;
      collection: CollectionInfo;
      /** All collections of the home, for properties that name a sibling (schedule-default-calendar-URL). */
      siblings?: CollectionInfo[] | undefined;
    }
  | { kind: "object"; href: string; owner: Principal; collection: CollectionInfo; object: ObjectInfo }
  /** A home's notification collection (CS:notification-URL) and one notification in it (calendarserver-sharing). */
  | { kind: "notifications"; href: string; owner: Principal; items: NotificationInfo[] }
  | { kind: "notification"; href: string; owner: Principal; item: NotificationInfo };

export interface Limits {
  maxResourceSize: number;
  quotaBytes: number;
  minDateTime: number;
  maxDateTime: number;
  maxInstances: number;
  maxAttendeesPerInstance: number;
}

export interface PropContext {
  /** The authenticated principal making the request. */
  user: Principal;
  limits: Limits;
  /** Reports supported on each kind of resource (from the report table). */
  reports: (kind: ResourceKind) => Clark[];
}

export interface PropertyDef {
  name: Clark;
  /** Where the property exists. */
  on: readonly ResourceKind[];
  /** Returned for DAV:allprop (RFC 4918 section 9.1; expensive or large ones are left out). */
  allprop: boolean;
  /** Protected properties cannot be set or removed by PROPPATCH (RFC 4918 section 15). */
  protected: boolean;
  /** The property element, or undefined when the resource has no value (answered 404). */
  get(r: Resource, ctx: PropContext): XmlElement | undefined;
  /** For writable live properties: validates a new value; throws a DavError with the RFC's condition. */
  validate?(value: XmlElement, r: Resource): void;
}

/** The dead-property store of a resource, if it has one. */
export function propsOf(r: Resource): PropMap | undefined {
  switch (r.kind) {
    case "principal":
      return r.props;
    case "home":
      return r.home.props;
    case "calendar":
    case "inbox":
    case "outbox":
      return r.collection.props;
    case "object":
      return r.object.props;
    default:
      return undefined;
  }
}
