import oscar.apps.checkout.apps as apps
from django.urls import path


class CheckoutConfig(apps.CheckoutConfig):
    name = "shop.checkout"

    def get_urls(self):
        from shop.phone.views import GuestMobileView

        # A guest checks out with a mobile number proven by an SMS code, no e-mail (shop/phone).
        return [path("guest-mobile/", GuestMobileView.as_view(), name="guest-mobile"), *super().get_urls()]
