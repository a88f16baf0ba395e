// The person's timezone setting for the web page (props/personal.ts): read
// from the principal's properties, set through the same core and home code
// as a PROPPATCH on the principal (RFC 4918 §9.2: planPatch, then the home's
// patchProps re-checks the caps and the quota in its transaction).
import { C, DavError, precondition, unwrap } from "../../core/errors.js";
import type { Principal } from "../../core/model.js";
import { hrefs } from "../../core/paths.js";
import { knownZoneName, personalZoneElement, personalZoneName, PERSONAL_TIMEZONE } from "../../core/props/personal.js";
import { planPatch } from "../../core/props/table.js";
import { homeStub } from "../../bindings.js";

/** The person's timezone, null when never set. */
export async function getTimezone(env: Env, user: Principal): Promise<string | null> {
  return personalZoneName((await homeStub(env, user.id).snapshot()).principalProps);
}

/** Sets the person's timezone (an IANA name the server knows; 409 otherwise), or clears it with null. */
export async function setTimezone(env: Env, user: Principal, name: string | null): Promise<void> {
  const home = homeStub(env, user.id);
  const zone = name === null ? null : knownZoneName(name);
  if (name !== null && !zone) throw new DavError(409, { description: `unknown timezone ${name.slice(0, 64)}` });
  const { principalProps } = await home.snapshot();
  const plan = planPatch(
    { kind: "principal", href: hrefs.principal(user.id), principal: user, props: principalProps },
    [zone === null ? { op: "remove", name: PERSONAL_TIMEZONE } : { op: "set", prop: personalZoneElement(zone) }],
  );
  const refused = plan.ok ? unwrap(await home.patchProps({ scope: "principal" }, plan.changes)) : null;
  if (!plan.ok || refused) throw precondition(507, C.quotaNotExceeded, "no room for the setting");
}
