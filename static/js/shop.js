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

  // The filter panel is folded on phones and open where there is room beside the results.
  if (window.matchMedia("(min-width: 576px)").matches) {
    document.querySelectorAll("details[data-open-on-desktop]").forEach(function (panel) {
      panel.open = true;
    });
  }
})();
