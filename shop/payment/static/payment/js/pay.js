/* The Stripe Payment Element for one placed order. The amount lives in the PaymentIntent,
   created by the server from the order; this script only collects the payment details. */
(function () {
  "use strict";
  var form = document.getElementById("payment-form");
  if (!form) { return; }
  var button = document.getElementById("payment-submit");
  var message = document.getElementById("payment-message");

  function showError(text) {
    message.textContent = text;
    message.classList.remove("d-none");
  }

  if (typeof window.Stripe !== "function") {
    document.getElementById("payment-loading").textContent = form.dataset.errorLoad;
    return;
  }

  var stripe = window.Stripe(form.dataset.publishableKey, { locale: form.dataset.locale });
  var elements = stripe.elements({ clientSecret: form.dataset.clientSecret });
  var paymentElement = elements.create("payment", { layout: "tabs" });
  paymentElement.on("ready", function () {
    var loading = document.getElementById("payment-loading");
    if (loading) { loading.remove(); }
    button.disabled = false;
  });
  paymentElement.on("loaderror", function () { showError(form.dataset.errorLoad); });
  paymentElement.mount("#payment-element");

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    message.classList.add("d-none");
    stripe.confirmPayment({
      elements: elements,
      confirmParams: { return_url: form.dataset.returnUrl }
    }).then(function (result) {
      // Only reached when the payment could not be confirmed; success leaves the page.
      var error = result.error || {};
      var ownFault = error.type === "card_error" || error.type === "validation_error";
      showError(ownFault && error.message ? error.message : form.dataset.errorGeneric);
      button.disabled = false;
    });
  });
})();
