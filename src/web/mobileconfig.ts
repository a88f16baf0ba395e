// An Apple configuration profile with one CalDAV account payload
// (com.apple.caldav.account: host, port, TLS, user name, principal URL, and a
// password only when the person asked for one made for it), as a plist that
// macOS and iOS open from a download. Apple's "Device Management" reference,
// CalDAV payload; the profile is unsigned, so the device shows it as such.
import { xmlText } from "../core/xml/write.js";

export interface CaldavProfile {
  /** The server's origin, e.g. https://caldav.example.com */
  origin: string;
  user: string;
  displayName: string;
  principalPath: string;
  /** A freshly made app password, or undefined: the device asks for one. */
  password?: string | undefined;
}

type Plist = string | number | boolean | Plist[] | { [key: string]: Plist };

function plist(v: Plist): string {
  if (typeof v === "string") return `<string>${xmlText(v)}</string>`;
  if (typeof v === "number") return `<integer>${Math.trunc(v)}</integer>`;
  if (typeof v === "boolean") return v ? "<true/>" : "<false/>";
  if (Array.isArray(v)) return `<array>${v.map(plist).join("")}</array>`;
  return `<dict>${Object.entries(v).map(([k, x]) => `<key>${xmlText(k)}</key>${plist(x)}`).join("")}</dict>`;
}

/** A stable identifier from the server's host: reversed, as profile identifiers are. */
const reverseHost = (host: string) => host.split(".").reverse().join(".").replace(/[^A-Za-z0-9.-]/g, "-");

export function mobileconfig(p: CaldavProfile): string {
  const url = new URL(p.origin);
  const secure = url.protocol === "https:";
  const id = `${reverseHost(url.hostname)}.caldav.${p.user}`;
  const account: Record<string, Plist> = {
    PayloadType: "com.apple.caldav.account",
    PayloadVersion: 1,
    PayloadIdentifier: `${id}.account`,
    PayloadUUID: crypto.randomUUID().toUpperCase(),
    PayloadDisplayName: "CalDAV",
    CalDAVAccountDescription: `${p.displayName} (${url.hostname})`,
    CalDAVHostName: url.hostname,
    CalDAVPort: Number(url.port || (secure ? 443 : 80)),
    CalDAVUseSSL: secure,
    CalDAVUsername: p.user,
    CalDAVPrincipalURL: `${url.origin}${p.principalPath}`,
  };
  if (p.password) account["CalDAVPassword"] = p.password;
  const profile: Plist = {
    PayloadType: "Configuration",
    PayloadVersion: 1,
    PayloadIdentifier: id,
    PayloadUUID: crypto.randomUUID().toUpperCase(),
    PayloadDisplayName: `Calendars on ${url.hostname}`,
    PayloadDescription: `Adds the CalDAV account ${p.user} on ${url.hostname}.`,
    PayloadRemovalDisallowed: false,
    PayloadContent: [account],
  };
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">${plist(profile)}</plist>
`;
}
