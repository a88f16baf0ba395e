// Rules for principal names and calendar-user addresses (RFC 6638 section
// 2.4.1: addresses are URIs; we use mailto: for people, rooms and resources).
import type { CalendarUserType } from "./model.js";

const ID = /^[a-z0-9][a-z0-9._@+-]{0,63}$/;

export function normalizePrincipalId(raw: string): string | undefined {
  const id = raw.trim().toLowerCase();
  return ID.test(id) ? id : undefined;
}

const EMAIL = /^[^\s@:<>"(),;]+@[^\s@:<>"(),;]+\.[^\s@:<>"(),;]+$/;

/** "Alice@Example.com" or "MAILTO:alice@example.com" → "mailto:alice@example.com". */
export function normalizeAddress(raw: string): string | undefined {
  let s = raw.trim();
  if (/^mailto:/i.test(s)) s = s.slice(7);
  s = s.toLowerCase();
  return EMAIL.test(s) ? `mailto:${s}` : undefined;
}

export const USER_TYPES: readonly CalendarUserType[] = ["INDIVIDUAL", "ROOM", "RESOURCE", "GROUP"];
