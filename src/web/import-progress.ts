// The page's one script for imports, served as /app/static/import-progress.js
// (no inline script: the CSP allows scripts from 'self' only). On a running
// import's page it asks for the job's progress every half second and moves
// the progress bar; when the job has finished it reloads the page, which the
// server then renders with the summary. Without script the page says to
// reload, and shows the same progress on each reload.
export const IMPORT_PROGRESS_JS = `"use strict";
(function () {
  var box = document.querySelector("[data-progress-url]");
  if (!box) return;
  var url = box.getAttribute("data-progress-url");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-progress-text]");
  var failures = 0;
  function tick() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(function (s) {
        failures = 0;
        bar.max = Math.max(1, s.total);
        bar.value = s.done;
        text.textContent = s.done + " of " + s.total + " objects";
        if (s.finished) { window.location.reload(); return; }
        setTimeout(tick, 500);
      })
      .catch(function () { if (++failures < 20) setTimeout(tick, 2000); });
  }
  setTimeout(tick, 300);
})();
`;
