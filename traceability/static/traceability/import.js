// The import page's progress: asks the status endpoint every 1.5 s, moves the bar, and reloads
// the page once the import has ended (the page refreshes itself through <noscript> without this).
(function () {
  "use strict";
  var box = document.querySelector(".tr-import[data-status-url]");
  if (!box || box.getAttribute("data-finished") === "1") return;
  var bar = box.querySelector(".tr-import__bar");
  var stage = box.querySelector(".tr-import__stage");
  var template = box.getAttribute("data-checking-text") || "";
  function poll() {
    fetch(box.getAttribute("data-status-url"), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { setTimeout(poll, 5000); return; }
        if (data.finished) { window.location.reload(); return; }
        if (bar) { bar.value = data.percent; bar.textContent = data.percent + "%"; }
        if (stage && data.stage === "checking" && data.rows_total && template) {
          stage.textContent = template.replace("{done}", data.rows_checked).replace("{total}", data.rows_total);
        } else if (stage && data.stage_display) {
          stage.textContent = data.stage_display + "…";
        }
        setTimeout(poll, 1500);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
