"""Oscar's checkout session mixin: a guest may give a verified mobile number instead of an e-mail."""

from oscar.apps.checkout import session


class CheckoutSessionMixin(session.CheckoutSessionMixin):
    def check_user_email_is_captured(self, request):
        if not request.user.is_authenticated and self.checkout_session.get_guest_mobile():
            return
        super().check_user_email_is_captured(request)
