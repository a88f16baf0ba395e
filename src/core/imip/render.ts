// The readable parts of an iMIP message (RFC 6047 §2.4): subject, a text
// part and a small HTML part saying what the iCalendar part means. Every
// value comes from the calendar data, which attendees and organizers
// outside this server wrote: the HTML escapes all of it, and nothing they
// wrote becomes markup, a link or a header (the subject is one line).
import { label, type EventView, type Person } from "./view.js";

const PARTSTAT_WORDS: Record<string, string> = {
  ACCEPTED: "accepted", DECLINED: "declined", TENTATIVE: "tentatively accepted", DELEGATED: "delegated", "NEEDS-ACTION": "has not answered",
};

export interface Rendered {
  subject: string;
  text: string;
  html: string;
}

const oneLine = (s: string) => s.replace(/[\r\n\t\u0000-\u001f\u007f]+/g, " ").trim();

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** The subject and the lead sentence, by method (RFC 5546 §3.2). `replier` is the one attendee of a REPLY. */
function headline(v: EventView, update: boolean): { subject: string; lead: string } {
  const org = v.organizer.name || v.organizer.address.replace(/^mailto:/, "");
  switch (v.method) {
    case "CANCEL":
      return v.instances.length
        ? { subject: `Cancelled occurrence: ${v.summary}`, lead: `${org} cancelled ${v.instances.length === 1 ? "one occurrence" : "some occurrences"} of this event.` }
        : { subject: `Cancelled: ${v.summary}`, lead: `${org} cancelled this event.` };
    case "REPLY": {
      const who: Person | undefined = v.attendees[0];
      const word = PARTSTAT_WORDS[who?.partstat ?? ""] ?? `answered (${who?.partstat ?? "no answer"})`;
      const name = who ? who.name || who.address.replace(/^mailto:/, "") : "An attendee";
      return { subject: `${name} ${word}: ${v.summary}`, lead: `${name} ${word} the invitation.` };
    }
    case "COUNTER":
      return { subject: `New time proposed: ${v.summary}`, lead: "An attendee proposes a change to this event." };
    default:
      return update
        ? { subject: `Updated invitation: ${v.summary}`, lead: `${org} updated this event.` }
        : { subject: `Invitation: ${v.summary}`, lead: `${org} invites you to this event.` };
  }
}

/** Links that answer an invitation without a calendar program (rsvp.ts), by answer. */
export interface RsvpLinks {
  accept: string;
  tentative: string;
  decline: string;
}

const LINK_WORDS: Array<[keyof RsvpLinks, string]> = [["accept", "Accept"], ["tentative", "Maybe"], ["decline", "Decline"]];

/** Subject, text and HTML for `v`; `changes` are those of changesBetween (shown for updates); `links` for RSVP. */
export function render(v: EventView, changes: readonly string[] = [], links?: RsvpLinks): Rendered {
  const update = v.method === "REQUEST" && (changes.length > 0 || v.sequence > 0);
  const { subject, lead } = headline(v, update);
  const rows: Array<[string, string]> = [["What", v.summary], ["When", v.when + (v.recurring ? " (repeats)" : "")]];
  if (v.instances.length) rows.push([v.instances.length === 1 ? "Occurrence" : "Occurrences", v.instances.join("; ")]);
  if (v.location) rows.push(["Where", v.location]);
  rows.push(["Organizer", label(v.organizer)]);
  const guests = v.attendees.filter((a) => a.address !== v.organizer.address);
  if (v.method !== "REPLY" && guests.length) rows.push(["Invited", guests.map(label).join(", ")]);

  const text = [
    lead,
    "",
    ...rows.map(([k, val]) => `${k}: ${val}`),
    ...(changes.length ? ["", "What changed:", ...changes.map((c) => `- ${c}`)] : []),
    ...(v.description ? ["", v.description] : []),
    ...(links ? ["", "Answer without a calendar program:", ...LINK_WORDS.map(([k, word]) => `${word}: ${links[k]}`)] : []),
    "",
    v.method === "REQUEST" ? "Your calendar program can answer with the attached invitation (invite.ics)." : "The attached invite.ics updates your calendar.",
    "",
  ].join("\r\n");

  const cell = (s: string) => escapeHtml(s).replace(/\r?\n/g, "<br>");
  const html = [
    "<!doctype html><html><body style=\"font-family:sans-serif\">",
    `<p>${escapeHtml(lead)}</p>`,
    "<table>",
    ...rows.map(([k, val]) => `<tr><th align="left" valign="top">${escapeHtml(k)}</th><td>${cell(val)}</td></tr>`),
    "</table>",
    ...(changes.length ? ["<p>What changed:</p><ul>", ...changes.map((c) => `<li>${escapeHtml(c)}</li>`), "</ul>"] : []),
    ...(v.description ? [`<p>${cell(v.description)}</p>`] : []),
    ...(links ? [`<p>${LINK_WORDS.map(([k, word]) => `<a href="${escapeHtml(links[k])}">${word}</a>`).join(" · ")}</p>`] : []),
    "</body></html>",
  ].join("\r\n");
  return { subject: oneLine(subject).slice(0, 200), text, html };
}
