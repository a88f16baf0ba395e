// Delegation test helpers (calendar-proxy): a delegator ("boss") with a
// write delegate, a read delegate and a stranger, and the Apple-shaped
// bodies from test/fixtures/sharing with their placeholders filled.
import setMembersBody from "../fixtures/sharing/proxy-set-members.xml?raw";
import { dav, type Creds } from "./dav-client.js";
import { cast, type Party } from "./scheduling.js";
import { fill } from "./sharing.js";

export type Kind = "read" | "write";

export const principalHref = (c: Creds) => `/principals/${c.user}/`;
export const proxyGroup = (c: Creds, kind: Kind) => `/principals/${c.user}/calendar-proxy-${kind}/`;

/** PROPPATCH of a proxy group's DAV:group-member-set, as Apple Calendar's Delegation settings send it. */
export function setMembers(as: Creds, owner: Creds, kind: Kind, members: Array<Creds | string>): Promise<Response> {
  const hrefs = members.map((m) => `<A:href>${typeof m === "string" ? m : principalHref(m)}</A:href>`).join("");
  return dav("PROPPATCH", proxyGroup(owner, kind), { as, body: fill(setMembersBody, { MEMBERS: hrefs }) });
}

export interface Office {
  boss: Party;
  writer: Party;
  reader: Party;
  stranger: Party;
  /** The boss's default calendar. */
  calendar: string;
}

/** The boss, with `writer` in its calendar-proxy-write group and `reader` in calendar-proxy-read. */
export async function office(): Promise<Office> {
  const { boss, writer, reader, stranger } = await cast("boss", "writer", "reader", "stranger");
  const o = { boss, writer, reader, stranger, calendar: `/calendars/${boss.user}/calendar/` };
  for (const [kind, who] of [["write", writer], ["read", reader]] as const) {
    const res = await setMembers(boss, boss, kind, [who]);
    if (res.status !== 207) throw new Error(`PROPPATCH ${kind}: ${res.status} ${await res.text()}`);
  }
  return o;
}
