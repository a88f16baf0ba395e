// The REQUEST each Attendee gets (RFC 6638 §3.2.6, RFC 5546 §3.2.2): the
// master with an EXDATE for every override that does not list them, plus the
// overrides that do; or only the overrides that changed for them. What an
// Attendee gets depends only on which components list them, so the body is
// built once per such shape and shared by every Attendee of that shape: a
// meeting of 1,000 people costs one body, not 1,000 (and a lookup per
// component and Attendee is a set lookup, not a scan of 1,000 ATTENDEEs).
import { attendeeProps, masterOf, normAddress, propOf, type Cal, type JComp } from "./calendar.js";
import { addressMessage, buildBody, scrub, type BuiltBody } from "./message.js";
import type { AttendeeDecision } from "./organizer-diff.js";
import type { OutgoingMessage } from "./types.js";

export interface RequestContext {
  organizer: string;
  uid: string;
  /** The VCALENDAR whose VERSION/PRODID/CALSCALE the messages take. */
  from: JComp | null;
  tzSources: JComp[];
  stamp: string;
}

export class RequestBuilder {
  private readonly listed: Array<Set<string>>;
  private readonly shapes = new Map<string, { built: BuiltBody; rids: string[] } | null>();

  constructor(
    private readonly cal: Cal,
    private readonly ctx: RequestContext,
  ) {
    this.listed = cal.items.map((i) => new Set(attendeeProps(i.raw).map((p) => normAddress(p[3]))));
  }

  /** The REQUEST for one Attendee's decision, or null when no component is left for them. */
  message(address: string, d: Pick<AttendeeDecision, "full" | "rids">): OutgoingMessage | null {
    const key = d.full ? `F${this.listed.map((s) => (s.has(address) ? 1 : 0)).join("")}` : `P${d.rids.join(",")}`;
    let shape = this.shapes.get(key);
    if (shape === undefined) {
      const { comps, rids } = this.components(address, d);
      shape = comps.length ? { built: buildBody({ method: "REQUEST", comps, from: this.ctx.from, tzSources: this.ctx.tzSources, stamp: this.ctx.stamp }), rids } : null;
      this.shapes.set(key, shape);
    }
    if (!shape) return null;
    const { organizer, uid, stamp } = this.ctx;
    return addressMessage({ method: "REQUEST", originator: organizer, recipient: address, uid, stamp, recurrenceIds: shape.rids }, shape.built);
  }

  private components(address: string, d: Pick<AttendeeDecision, "full" | "rids">): { comps: JComp[]; rids: string[] } {
    const { cal } = this;
    const stamp = this.ctx.stamp;
    const lists = (i: number) => this.listed[i]!.has(address);
    const overrides = cal.items.map((item, i) => ({ item, i })).filter(({ item }) => item.rid !== "");
    if (!d.full) {
      const chosen = overrides.filter(({ item }) => d.rids.includes(item.rid));
      return { comps: chosen.map(({ item }) => scrub(item.raw, stamp)), rids: chosen.map(({ item }) => item.rid) };
    }
    const comps: JComp[] = [];
    const rids: string[] = [];
    const master = masterOf(cal);
    if (master && lists(cal.items.indexOf(master))) {
      const m = scrub(master.raw, stamp);
      for (const { item, i } of overrides) {
        const rid = propOf(item.raw, "recurrence-id");
        if (lists(i) || !rid) continue;
        const params = { ...rid[1] };
        delete params["range"];
        m[1].push(["exdate", params, rid[2], rid[3]]);
      }
      comps.push(m);
      rids.push("");
    }
    for (const { item, i } of overrides) {
      if (!lists(i)) continue;
      comps.push(scrub(item.raw, stamp));
      rids.push(item.rid);
    }
    return { comps, rids };
  }
}
