// Other people of this server as the page's sharing and delegates forms name
// them: found the way the sign-in finds an account (by account name, else by
// e-mail address: Directory credentialsFor), and shown by name and address.
import type { Context } from "hono";
import { directoryStub } from "../bindings.js";
import { normalizeAddress, normalizePrincipalId } from "../core/directory.js";
import type { Principal } from "../core/model.js";
import type { WebEnv } from "./env.js";
import { field } from "./csrf.js";

/** A person of this server, as the page names them. */
export interface Person {
  id: string;
  name: string;
  /** The first e-mail address, without "mailto:", or "". */
  email: string;
}

const personOf = (p: Principal): Person => ({ id: p.id, name: p.displayName || p.id, email: p.addresses[0]?.replace(/^mailto:/i, "") ?? "" });

/** The principal an account name or e-mail address names, in one Directory call; null when none does. */
export async function personNamed(env: Env, text: string): Promise<Principal | null> {
  const id = normalizePrincipalId(text);
  const address = normalizeAddress(text);
  if (!id && !address) return null;
  const { byId, byAddress } = await directoryStub(env).principalsFor(address ? [address] : [], id ? [id] : []);
  return (id ? byId[id] : null) ?? (address ? byAddress[address] : null) ?? null;
}

/** Someone other than the signed-in user, named in a form; or what is wrong, in words. */
export async function someoneElse(c: Context<WebEnv>, text: string): Promise<Principal | string> {
  if (!text) return "Enter the account name or e-mail address of the person.";
  const who = await personNamed(c.env, text);
  if (!who) return `No one on this server has the account name or e-mail address “${text}”.`;
  return who.id === c.var.user.id ? "That is you: choose someone else." : who;
}

/** People by id, in one Directory call; an id the Directory no longer knows is shown as itself. */
export async function peopleByIds(env: Env, ids: string[]): Promise<Map<string, Person>> {
  const unique = [...new Set(ids)];
  const { byId } = unique.length ? await directoryStub(env).principalsFor([], unique) : { byId: {} as Record<string, Principal | null> };
  return new Map(unique.map((id) => [id, byId[id] ? personOf(byId[id]) : { id, name: id, email: "" }]));
}

/** The "account name or e-mail address" form as sent: what to show again, and who it names or what is wrong. */
export type PersonForm<K extends string> =
  { typed: { person: string; access: K }; who: Principal; problem?: undefined } | { typed: { person: string; access: K }; who?: undefined; problem: string };

/** Reads the person form (fields `person` and `access`); an access that is not one of `isKind`'s shows as `fallback`. */
export async function readPersonForm<K extends string>(c: Context<WebEnv>, isKind: (v: string) => v is K, fallback: K): Promise<PersonForm<K>> {
  const person = field(c, "person", 320);
  const access = field(c, "access", 20);
  const typed = { person, access: isKind(access) ? access : fallback };
  if (!isKind(access)) return { typed, problem: "Choose read only or read and write." };
  const who = await someoneElse(c, person);
  return typeof who === "string" ? { typed, problem: who } : { typed, who };
}
