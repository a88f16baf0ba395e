// Calendar sharing records (CalendarServer "calendarserver-sharing"): an
// owner's invitation of a sharee to one calendar, the pointer a sharee's home
// keeps to a calendar shared with it, and a notification in the sharee's
// notification collection. Plain records: they cross Durable Object RPC.
import type { PropMap } from "../model.js";

export type ShareAccess = "read" | "read-write";
export type InviteStatus = "pending" | "accepted" | "declined";

/** One sharee of an owner's calendar, as the owner's home keeps it (the authority on who may do what). */
export interface Invite {
  sharee: string;
  access: ShareAccess;
  status: InviteStatus;
  /** The invitation's id: CS:uid in the notification, CS:in-reply-to in the answer. */
  uid: string;
  summary: string;
}

/** On a calendar record seen through a sharee's home: where the data lives and what the sharee may do. */
export interface SharedFrom {
  owner: string;
  calendar: string;
  access: ShareAccess;
  /** The principal whose home shows it. */
  sharee: string;
}

/** A sharee home's pointer to a calendar shared with it; per-user properties are the mount's own. */
export interface Mount {
  name: string;
  owner: string;
  calendar: string;
  uid: string;
}

export interface MountInfo extends Mount {
  props: PropMap;
}

/** A notification resource (CS:notification) in a home's notification collection. */
export interface NotificationInfo {
  name: string;
  uid: string;
  /** The local name of the notification's type element, e.g. "invite-notification". */
  type: string;
  etag: string;
  size: number;
  created: number;
  body?: string;
}

/** The reserved collection name of a home's notifications (CS:notification-URL). */
export const NOTIFICATIONS = "notification";

/** Bounds: sharees named in one CS:share request, sharees of one calendar, notifications kept per home. */
export const SHARING_LIMITS = { perRequest: 50, perCalendar: 200, notifications: 500 } as const;

/** The media type of a notification body (CalendarServer serves them as XML). */
export const NOTIFICATION_TYPE = "application/xml; charset=utf-8";
