/* Storefront behaviour that is nice to have; every page works without it. */
(function () {
  "use strict";

  // A select marked data-autosubmit (the sort order) submits its form when changed.
  document.querySelectorAll("[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.form) {
        select.form.submit();
      }
    });
  });

  // The product page's "recently viewed" strip is the visitor's own, so the page (shared among
  // visitors) leaves a placeholder and the strip is fetched here; the history cookie goes along.
  document.querySelectorAll("[data-recently-viewed]").forEach(function (slot) {
    if (!window.fetch) {
      return;
    }
    fetch(slot.getAttribute("data-recently-viewed"), {
      credentials: "same-origin",
      headers: { "X-Requested-With": "XMLHttpRequest" },
    })
      .then(function (response) {
        return response.status === 200 ? response.text() : "";
      })
      .then(function (html) {
        if (html) {
          slot.innerHTML = html;
        }
      })
      .catch(function () {
        /* The strip is a nicety; the page is whole without it. */
      });
  });

  // The filter panel is folded on phones and open where there is room beside the results.
  if (window.matchMedia("(min-width: 576px)").matches) {
    document.querySelectorAll("details[data-open-on-desktop]").forEach(function (panel) {
      panel.open = true;
    });
  }
})();
