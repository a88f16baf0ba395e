// The page's one stylesheet, served as /app/static/style.css (no inline
// style, so the CSP can forbid it). System fonts, no external resources.
// Colours pass WCAG 2.2 AA (4.5:1 for text, 3:1 for focus rings and
// control borders) in both the light and the dark scheme.
export const STYLE = `
:root {
  color-scheme: light dark;
  --bg: #f6f7f9; --card: #ffffff; --text: #1b1f24; --muted: #4f5661; --line: #c9ced6;
  --accent: #0b57d0; --accent-text: #ffffff; --danger: #b3261e; --ok-bg: #e6f4ea; --ok: #146c2e;
  --warn-bg: #fdecea; --focus: #0b57d0; --code-bg: #eef1f5;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #121417; --card: #1c1f24; --text: #e8eaed; --muted: #b4bac3; --line: #5b626c;
    --accent: #8ab4f8; --accent-text: #0b1a33; --danger: #f28b82; --ok-bg: #16301f; --ok: #81c995;
    --warn-bg: #3a1d1b; --focus: #8ab4f8; --code-bg: #272b31;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; background: var(--bg); color: var(--text); }
a { color: var(--accent); }
a:hover { text-decoration-thickness: 2px; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; border-radius: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: var(--card); padding: .5rem 1rem; z-index: 10; }
.skip:focus { left: .5rem; }
header.top { background: var(--card); border-bottom: 1px solid var(--line); }
header.top .bar { max-width: 64rem; margin: 0 auto; padding: .5rem 1rem; display: flex; flex-wrap: wrap; align-items: center; gap: .25rem 1rem; }
.brand { font-weight: 700; text-decoration: none; color: var(--text); margin-right: auto; }
nav.main { order: 3; flex-basis: 100%; } /* its own row under the name and Sign out: eight sections fit no width beside them */
nav.main ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: .25rem; }
nav.main a { display: inline-block; padding: .375rem .625rem; border-radius: .375rem; text-decoration: none; color: var(--text); }
nav.main a[aria-current="page"] { background: var(--code-bg); font-weight: 600; box-shadow: inset 0 -2px 0 var(--accent); }
nav.main a:hover { background: var(--code-bg); }
@media (max-width: 40rem) {
  header.top .bar > form button .muted { display: none; }
}
main { max-width: 64rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.6rem; margin: .5rem 0 1rem; line-height: 1.25; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
.card > :first-child { margin-top: 0; }
.card > :last-child { margin-bottom: 0; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: .5rem; padding: 1rem; margin: 0 0 1rem; }
.narrow { max-width: 26rem; margin: 2rem auto; }
.muted { color: var(--muted); }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .95em; background: var(--code-bg); padding: .05rem .3rem; border-radius: .25rem; overflow-wrap: anywhere; }
label { display: block; font-weight: 600; margin: .75rem 0 .25rem; }
label.inline { display: inline-flex; align-items: center; gap: .4rem; font-weight: 400; margin: .25rem 1rem .25rem 0; }
input[type=text], input[type=password], input[type=email], input[type=search], select, textarea {
  width: 100%; max-width: 32rem; font: inherit; color: var(--text); background: var(--card);
  border: 1px solid var(--muted); border-radius: .375rem; padding: .5rem .625rem; min-height: 2.75rem;
}
input[type=color] { width: 3.5rem; height: 2.75rem; padding: .125rem; border: 1px solid var(--muted); border-radius: .375rem; background: var(--card); }
input[type=checkbox], input[type=radio] { width: 1.25rem; height: 1.25rem; accent-color: var(--accent); }
fieldset { border: 1px solid var(--line); border-radius: .375rem; margin: .75rem 0; padding: .25rem .75rem .5rem; }
legend { font-weight: 600; padding: 0 .25rem; }
.hint { color: var(--muted); font-size: .9rem; margin: .25rem 0 0; }
button, .button {
  display: inline-flex; align-items: center; justify-content: center; min-height: 2.75rem; padding: .5rem 1rem;
  font: inherit; font-weight: 600; border-radius: .375rem; border: 1px solid var(--accent); cursor: pointer;
  background: var(--accent); color: var(--accent-text); text-decoration: none;
}
button.secondary, .button.secondary { background: transparent; color: var(--accent); }
button.danger { background: var(--danger); border-color: var(--danger); color: #fff; }
@media (prefers-color-scheme: dark) { button.danger { color: #2b0a08; } }
button.link { background: none; border: none; color: var(--accent); padding: .25rem; min-height: 0; text-decoration: underline; font-weight: 400; }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; margin-top: 1rem; align-items: center; }
form.inline { display: inline; }
form.row { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
form.row select { width: auto; }
.notice { border-radius: .375rem; padding: .75rem 1rem; margin: 0 0 1rem; border: 1px solid var(--line); }
.notice.ok { background: var(--ok-bg); border-color: var(--ok); }
.notice.error { background: var(--warn-bg); border-color: var(--danger); }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .9rem; color: var(--muted); font-weight: 600; }
progress { display: block; width: 100%; max-width: 32rem; height: 1.25rem; accent-color: var(--accent); }
.swatch { display: inline-block; width: 1rem; height: 1rem; vertical-align: -.15rem; margin-right: .4rem; }
.swatch circle { stroke: var(--muted); stroke-width: 1; }
.nowrap { white-space: nowrap; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.secret { font-size: 1.25rem; letter-spacing: .05em; padding: .5rem .75rem; display: inline-block; user-select: all; }
.steps h3 { margin: 1rem 0 .25rem; font-size: 1.05rem; }
.steps ol { margin: .25rem 0; padding-left: 1.25rem; }
.qr { background: #fff; padding: .5rem; width: 12rem; height: 12rem; border: 1px solid var(--line); }
.small { font-size: .9rem; }
ul.events, ul.invitations { list-style: none; margin: 0; padding: 0; }
.day h3 { font-size: 1.05rem; margin: 1rem 0 .25rem; padding-bottom: .25rem; border-bottom: 1px solid var(--line); }
.event { display: flex; gap: .75rem; padding: .4rem 0; }
.event .when { flex: 0 0 7.5rem; font-variant-numeric: tabular-nums; }
.event.struck .what strong { text-decoration: line-through; }
.tag { font-size: .85rem; border: 1px solid var(--muted); border-radius: 1rem; padding: 0 .5rem; white-space: nowrap; }
.invitation { border-top: 1px solid var(--line); padding: .75rem 0; }
.invitation h3 { margin: 0 0 .25rem; font-size: 1.05rem; }
.invitation .actions { margin-top: .5rem; }
@media (max-width: 40rem) {
  .event { flex-direction: column; gap: 0; }
  .event .when { flex: none; font-weight: 600; }
  table.stack thead { display: none; }
  table.stack tr { display: block; border-bottom: 1px solid var(--line); padding: .5rem 0; }
  table.stack td { display: block; border: none; padding: .15rem 0; }
  table.stack td[data-label]::before { content: attr(data-label) ": "; font-weight: 600; color: var(--muted); }
}
`;
