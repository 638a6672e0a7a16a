/* Keeps the payment status page (and the Alipay / WeChat Pay page) up to date: polls the order's
   status until it is final. After the buyer comes back from Stripe, or data-check-after ms on the
   wallet page, the poll may ask the server to check with Stripe. With data-done-url, a final
   status opens that page (the order's status page). */
(function () {
  "use strict";
  var box = document.getElementById("payment-status");
  if (!box || box.dataset.final === "1") { return; }
  var url = box.dataset.statusUrl;
  var messageEl = box.querySelector("[data-role=message]");
  var iconEl = box.querySelector("[data-role=icon]");
  var payLink = document.querySelector("[data-role=pay]");
  var cameBack = /[?&]redirect_status=(succeeded|processing)/.test(window.location.search);
  var icons = { paid: "✓", cancelled: "✕", failed: "!", review: "!" };
  var started = Date.now();
  var checkAfter = box.dataset.checkAfter ? parseInt(box.dataset.checkAfter, 10) : -1;
  var doneUrl = box.dataset.doneUrl;

  function delay() {
    var waited = Date.now() - started;
    return waited < 60000 ? 3000 : waited < 600000 ? 10000 : 30000;
  }

  function poll() {
    var waited = Date.now() - started;
    var query = cameBack ? (waited > 8000 ? "?returned=1&check=1" : "?returned=1") :
      (checkAfter >= 0 && waited > checkAfter ? "?check=1" : "");
    fetch(url + query, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (status) {
          messageEl.textContent = status.message;
          iconEl.textContent = icons[status.state] || "…";
          box.dataset.state = status.state;
          if (payLink) { payLink.classList.toggle("d-none", !status.can_pay); }
          if (status.final) {
            if (doneUrl) { window.location.assign(doneUrl); }
            return;
          }
        }
        window.setTimeout(poll, delay());
      })
      .catch(function () { window.setTimeout(poll, delay()); });
  }

  window.setTimeout(poll, 2000);
})();
