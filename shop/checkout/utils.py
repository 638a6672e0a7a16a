"""Oscar's checkout session data, with a guest's verified mobile number beside the guest e-mail."""

from oscar.apps.checkout import utils


class CheckoutSessionData(utils.CheckoutSessionData):
    def set_guest_mobile(self, number):
        """The number a guest proved with an SMS code (shop.phone), instead of an e-mail address."""
        self._set("guest", "mobile", number)

    def get_guest_mobile(self):
        return self._get("guest", "mobile")
