/* The "text it again" button counts down the seconds before a new code may be asked for, as phone
   apps do; without the script the button stays, and the server says how long to wait. */
(function () {
  "use strict";

  document.querySelectorAll("[data-resend-in]").forEach(function (button) {
    var left = parseInt(button.getAttribute("data-resend-in"), 10) || 0;
    var counting = button.getAttribute("data-counting");
    var ready = button.getAttribute("data-ready");
    if (left <= 0 || !counting || !ready) {
      return;
    }
    button.disabled = true;
    var timer = window.setInterval(function () {
      left -= 1;
      if (left > 0) {
        button.textContent = counting.replace("__S__", String(left));
        return;
      }
      window.clearInterval(timer);
      button.disabled = false;
      button.textContent = ready;
    }, 1000);
  });
})();
