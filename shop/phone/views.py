"""Sign in or up by mobile number (``/shop/accounts/phone/``) and a guest's checkout by mobile number
(``/shop/checkout/guest-mobile/``): enter the number, get a code by SMS, enter the code.

The number waiting for its code is kept in the session (one per purpose); the views stay thin and
leave codes, limits and accounts to ``services``.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.generic import TemplateView
from oscar.core.loading import get_class

from core.network import client_network

from .forms import CodeForm, MobileForm
from .services import (
    Purpose,
    account_close,
    account_mobile,
    code_resend_in,
    code_send,
    guest_mobile_verify,
    mobile_masked,
    phone_sign_in,
)

CheckoutSessionMixin = get_class("checkout.session", "CheckoutSessionMixin")


class CodeStepsMixin:
    """Step 1 ("send"): a number, a code texted to it. Step 2 ("verify"): the code. "resend" and
    "change" (another number) are offered on step 2. Subclasses say what a right code does."""

    purpose: str

    @property
    def session_key(self) -> str:
        return f"phone:{self.purpose}:number"

    def pending_number(self) -> str:
        return self.request.session.get(self.session_key, "")

    def here(self) -> str:
        return self.request.get_full_path()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        number = self.pending_number()
        context.update(
            number=number,
            number_masked=mobile_masked(number) if number else "",
            resend_in=code_resend_in(number=number, purpose=self.purpose) if number else 0,
            code_minutes=settings.PHONE_CODES["TTL_MINUTES"],
            mobile_form=kwargs.get("mobile_form") or MobileForm(),
            code_form=kwargs.get("code_form") or CodeForm(),
        )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        number = self.pending_number()
        if action == "send":
            form = MobileForm(request.POST)
            if not form.is_valid():
                return self.render_to_response(self.get_context_data(mobile_form=form))
            return self.send(form.cleaned_data["mobile"], form=form)
        if action == "resend" and number:
            return self.send(number)
        if action == "change":
            request.session.pop(self.session_key, None)
        if action == "verify" and number:
            form = CodeForm(request.POST)
            if form.is_valid():
                try:
                    return self.code_accepted(number, form.cleaned_data["code"])
                except ValidationError as error:
                    form.add_error("code", error)
            return self.render_to_response(self.get_context_data(code_form=form))
        return redirect(self.here())

    def send(self, number: str, form=None):
        try:
            code_send(number=number, purpose=self.purpose, network=client_network(self.request))
        except ValidationError as error:
            if error.code == "phone_code_cooldown" or form is None:
                # A code is on its way already (or the buyer asked again too soon): go on to step 2.
                self.request.session[self.session_key] = number
                messages.warning(self.request, error.messages[0])
                return redirect(self.here())
            form.add_error("mobile", error)
            return self.render_to_response(self.get_context_data(mobile_form=form))
        self.request.session[self.session_key] = number
        messages.success(
            self.request, gettext("A code is on its way to %(number)s.") % {"number": mobile_masked(number)}
        )
        return redirect(self.here())

    def code_accepted(self, number: str, code: str):
        raise NotImplementedError


class PhoneSignInView(CodeStepsMixin, TemplateView):
    """Sign in, or sign up (no e-mail address needed), with a mobile number; signed in already, the
    number is added to the account, so it signs in by phone from then on."""

    purpose = Purpose.SIGN_IN
    template_name = "phone/sign_in.html"

    def code_accepted(self, number: str, code: str):
        user, created = phone_sign_in(number=number, code=code, user=self.request.user)
        self.request.session.pop(self.session_key, None)
        if not self.request.user.is_authenticated:
            login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
            if created:
                messages.success(self.request, gettext("Welcome! Your account has been created."))
            else:
                messages.success(self.request, gettext("You are signed in."))
        else:
            messages.success(
                self.request,
                gettext("%(number)s is now your account's mobile number.")
                % {"number": mobile_masked(number)},
            )
        return redirect(self.next_url())

    def next_url(self) -> str:
        wanted = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if wanted and url_has_allowed_host_and_scheme(
            wanted, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return wanted
        return settings.LOGIN_REDIRECT_URL


class GuestMobileView(CodeStepsMixin, CheckoutSessionMixin, TemplateView):
    """Checkout as a guest with a mobile number instead of an e-mail address: the number is proven
    by a code, kept in the checkout session, recorded with the order, and gets its confirmation."""

    purpose = Purpose.CHECKOUT
    template_name = "phone/guest_mobile.html"
    pre_conditions = ["check_basket_is_not_empty", "check_basket_is_valid"]

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("checkout:shipping-address")
        return super().dispatch(request, *args, **kwargs)

    def code_accepted(self, number: str, code: str):
        guest_mobile_verify(number=number, code=code)
        self.request.session.pop(self.session_key, None)
        self.checkout_session.set_guest_mobile(number)
        self.checkout_session.set_guest_email("")  # the order has the number instead (never None)
        return redirect("checkout:shipping-address")


class AccountCloseView(LoginRequiredMixin, CodeStepsMixin, TemplateView):
    """Close the account with a code texted to its own number: for buyers who signed up by phone and
    have no password to confirm Oscar's "delete profile" with. The number is the account's; a number
    posted with the request is ignored."""

    purpose = Purpose.CLOSE_ACCOUNT
    template_name = "phone/close_account.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not account_mobile(request.user):
            return redirect("customer:profile-delete")  # no number: Oscar's page, with the password
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["account_number_masked"] = mobile_masked(account_mobile(self.request.user))
        return context

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "send":
            return self.send(account_mobile(request.user))
        return super().post(request, *args, **kwargs)

    def code_accepted(self, number: str, code: str):
        account_close(user=self.request.user, code=code)
        logout(self.request)
        messages.success(
            self.request, gettext("Your account has been closed. Thank you for shopping with us.")
        )
        return redirect(settings.OSCAR_HOMEPAGE)
