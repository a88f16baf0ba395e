// The form pieces the sharing and delegates pages share: a person's cell
// (name and address), a row's access change (a labelled select and its
// button) and remove button, and the "account name or e-mail address" form
// with its access choice. Each carries the CSRF token; labels name the person.
import { html } from "hono/html";
import { csrfField } from "../csrf.js";
import type { Html } from "../layout.js";
import type { Person } from "../people.js";

/** Access kinds in words, by the value a form sends. */
export type Choices = Record<string, string>;

export const personCell = (p: Person): Html =>
  html`<td data-label="Person"><strong>${p.name}</strong>${p.email ? html`<br><span class="muted">${p.email}</span>` : ""}</td>`;

/** A row's access: a select naming the person and a Change button, posting `person` and `access` to `action`. */
export function accessChange(csrf: string, action: string, p: Person, choices: Choices, chosen: string, i: number): Html {
  return html`<td data-label="Access"><form class="row" method="post" action="${action}">${csrfField(csrf)}
      <input type="hidden" name="person" value="${p.id}">
      <label class="visually-hidden" for="access-${i}">Access for ${p.name}</label>
      <select id="access-${i}" name="access">${Object.entries(choices).map(([k, label]) => html`<option value="${k}"${k === chosen ? " selected" : ""}>${label}</option>`)}</select>
      <button class="secondary" type="submit">Change<span class="visually-hidden"> access for ${p.name}</span></button></form></td>`;
}

/** A row's Remove button, posting `person` to `action`. */
export const removeButton = (csrf: string, action: string, p: Person): Html =>
  html`<td><form class="inline" method="post" action="${action}">${csrfField(csrf)}
      <input type="hidden" name="person" value="${p.id}">
      <button class="secondary" type="submit">Remove<span class="visually-hidden"> ${p.name}</span></button></form></td>`;

/** The form that names someone by account name or e-mail address, with the access to give them. */
export function personForm(csrf: string, action: string, choices: Choices, typed: { person: string; access: string }, button: string): Html {
  return html`<form method="post" action="${action}">${csrfField(csrf)}
  <label for="person">Account name or e-mail address</label>
  <input id="person" name="person" type="text" required maxlength="320" autocapitalize="none" spellcheck="false" value="${typed.person}">
  <fieldset><legend>Access</legend>
    ${Object.entries(choices).map(([k, label]) => html`<label class="inline"><input type="radio" name="access" value="${k}"${k === typed.access ? " checked" : ""}> ${label}</label>`)}
  </fieldset>
  <div class="actions"><button type="submit">${button}</button></div>
</form>`;
}
