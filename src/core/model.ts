// Plain records describing principals, calendar homes, collections and
// objects. They cross the Durable Object RPC boundary, so they stay
// structured-cloneable: no classes, no functions.
import type { IndexSummary } from "./ical/parse.js";
import type { PackedJobs } from "./itip-job.js";
import type { InstanceIndex } from "./query/instance-index.js";
import type { Invite, SharedFrom } from "./sharing/model.js";
import type { ProxyKind } from "./delegation/model.js";
import type { Clark } from "./xml/names.js";
import type { XmlElement } from "./xml/tree.js";

export type CalendarUserType = "INDIVIDUAL" | "ROOM" | "RESOURCE" | "GROUP" | "UNKNOWN";

export interface Principal {
  id: string;
  displayName: string;
  type: CalendarUserType;
  /** Calendar-user addresses, "mailto:" URIs, the first one preferred. */
  addresses: string[];
}

export type CollectionKind = "calendar" | "inbox" | "outbox";

/** Stored properties keyed by Clark name; each value is the whole property element. */
export type PropMap = Record<Clark, XmlElement>;

export interface CollectionInfo {
  id: number;
  name: string;
  kind: CollectionKind;
  /** Supported calendar component set (RFC 4791 section 5.2.3). */
  components: string[];
  props: PropMap;
  /** Revision of the last change to the collection or any member. */
  rev: number;
  syncToken: string;
  /** calendarserver.org getctag: changes whenever the sync token does. */
  ctag: string;
  created: number;
  modified: number;
  /** An owner's calendar: its sharees (CS:invite), when it has any. */
  invites?: Invite[] | undefined;
  /** A calendar seen through a sharee's home: whose it is and what the sharee may do (core/sharing). */
  shared?: SharedFrom | undefined;
  /** A calendar seen by a delegate of its owner at the owner's URL: the delegate's access, as the owner's home decided (core/delegation). */
  proxy?: ProxyKind | undefined;
}

export interface ObjectInfo {
  collection: string;
  name: string;
  uid: string;
  component: string;
  etag: string;
  scheduleTag: string | null;
  size: number;
  /** The R2 key of a body kept in R2; '' when the body lives in the home's own storage. */
  bodyKey: string;
  /** The body, when the home sent it along (bodies it keeps itself, when they were asked for). */
  body?: string;
  rev: number;
  created: number;
  modified: number;
  props: PropMap;
}

export interface HomeInfo {
  usedBytes: number;
  props: PropMap;
  created: number;
}

/** What a PUT (or COPY/MOVE) asks the home to store. */
export interface ObjectWrite {
  collection: string;
  name: string;
  body: string;
  /** Octets of the UTF-8 body. */
  size: number;
  etag: string;
  index: IndexSummary;
  /** Instance spans of a recurring event (core/query/instance-index.ts). */
  instances?: InstanceIndex | null | undefined;
  ifMatch?: string[] | "*" | undefined;
  ifNoneMatch?: string[] | "*" | undefined;
  /** RFC 6638 §8.3. */
  ifScheduleTagMatch?: string[] | "*" | undefined;
  /** The caller assumed the resource it replaces is no scheduling object; if it is, the home asks it to plan. */
  plainOnly?: boolean | undefined;
  /** Internal compare-and-swap: the ETag the caller planned against (null: absent); a mismatch asks it to plan again. */
  expectEtag?: string | null | undefined;
  /** Set for scheduling object resources (RFC 6638 §3.1). */
  schedule?: ScheduleWrite | undefined;
  /** A sharee writing into this (the owner's) home: checked against its invitation (home/sharing.ts). */
  asSharee?: ShareeRef | undefined;
  /** A delegate writing into this (the delegator's) home: checked against its proxy groups (home/delegation.ts). */
  asDelegate?: ShareeRef | undefined;
}

/** A sharee (or delegate) acting on an owner's calendar, and the URL it used (named in DAV:need-privileges). */
export interface ShareeRef {
  id: string;
  href: string;
}

export interface ScheduleWrite {
  /** JSON of the ScheduleSnapshot stored with the row; null when the object stops being a scheduling object. */
  snapshot: string | null;
  /** A client change to a scheduling object gets a new Schedule-Tag (RFC 6638 §3.3). */
  newTag: boolean;
  /** iTIP messages committed with the change (RFC 6638 §3.2), each distinct body once (see packJobs). */
  jobs: PackedJobs;
}
