"""Checkout views: Oscar's, with the order placed *before* any payment step.

Oscar's ``PaymentDetailsView.submit`` takes payment first and writes the order afterwards. Here
``submit`` places the order first, in one transaction that locks and allocates stock
(``shop.order.utils.OrderCreator``), records the chosen payment method, the adults-only
confirmation and the confirmation e-mail (in the outbox, sent after the commit). Only then does
the payment method take over (``PaymentMethod.next_url``), or the buyer sees the thank-you page.
"""

import logging

from django import http
from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic.edit import FormMixin
from oscar.apps.checkout import views
from oscar.apps.checkout.exceptions import FailedPreCondition
from oscar.core.loading import get_class, get_model

from core.db_busy import is_database_busy
from shop.order.services import order_confirmation_record
from shop.phone.services import order_mobile_record

from .forms import AdultConfirmationForm, PaymentMethodForm
from .payment_methods import registry

UserAddress = get_model("address", "UserAddress")
Basket = get_model("basket", "Basket")
OrderNote = get_model("order", "OrderNote")
UnableToPlaceOrder = get_class("order.exceptions", "UnableToPlaceOrder")
InsufficientStock = get_class("order.exceptions", "InsufficientStock")
address_problems = get_class("address.forms", "address_problems")

logger = logging.getLogger("oscar.checkout")


def adults_only_titles(basket) -> list[str]:
    """Titles of the basket's products that only adults may buy (e.g. yellow wine)."""
    return [line.product.get_title() for line in basket.all_lines() if line.product.is_adults_only]


class IndexView(views.IndexView):
    """The gateway. Its "returning customer" sign-in passes the request to ``authenticate``, as every
    login form must, so sign-in throttling (core/signin.py) counts and stops it like the others."""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


class ShippingAddressView(views.ShippingAddressView):
    def get_initial(self):
        """A guest who gave a mobile number (shop.phone) finds it already in the address's phone."""
        initial = super().get_initial() or {}
        mobile = self.checkout_session.get_guest_mobile()
        if mobile and not self.request.user.is_authenticated and not initial.get("phone_number"):
            initial = {**initial, "phone_number": mobile}
        return initial

    def post(self, request, *args, **kwargs):
        address_id = request.POST.get("address_id")
        if request.user.is_authenticated and address_id is not None:
            if not address_id.isdigit():
                return http.HttpResponseBadRequest()
            address = get_object_or_404(UserAddress, pk=address_id, user=request.user)
            problems = address_problems(address)
            if problems:
                messages.error(
                    request,
                    gettext("Please complete this address before we deliver to it: %(problems)s")
                    % {"problems": "; ".join(problems)},
                )
                return redirect("checkout:user-address-update", pk=address.pk)
        return super().post(request, *args, **kwargs)


class PaymentMethodView(FormMixin, views.PaymentMethodView):
    """Step 3: choose how to pay, from the methods the registry offers for this basket."""

    template_name = "oscar/checkout/payment_method.html"
    form_class = PaymentMethodForm
    success_url = reverse_lazy("checkout:preview")
    # Every order records how it will be paid, so the choice is never skipped.
    skip_conditions = []

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        self.checkout_session.pay_by(form.chosen.code)
        return redirect(self.get_success_url())

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["methods"] = registry.available(basket=self.request.basket, user=self.request.user)
        kwargs["initial"] = {"method": self.checkout_session.payment_method()}
        return kwargs

    def get_success_url(self):
        return str(self.success_url)


class PaymentDetailsView(views.PaymentDetailsView):
    """Step 4, the preview: confirm and place the order; the payment step (if any) comes after."""

    _order = None

    def get(self, request, *args, **kwargs):
        if not self.preview:
            # No method needs details before the order exists: choosing one is enough.
            return redirect("checkout:payment-method")
        return super().get(request, *args, **kwargs)

    def get_payment_method(self):
        method = registry.get(self.checkout_session.payment_method())
        if method and method.is_available(basket=self.request.basket, user=self.request.user):
            return method
        return None

    def check_payment_data_is_captured(self, request):
        if self.get_payment_method() is None:
            raise FailedPreCondition(
                url=reverse("checkout:payment-method"),
                message=_("Please choose how you would like to pay."),
            )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["payment_method"] = self.get_payment_method()
        ctx["adults_only_titles"] = adults_only_titles(self.request.basket)
        if ctx["adults_only_titles"]:
            ctx.setdefault("adult_form", AdultConfirmationForm())
        return ctx

    def handle_place_order_submission(self, request):
        if adults_only_titles(request.basket):
            adult_form = AdultConfirmationForm(request.POST)
            if not adult_form.is_valid():
                return self.render_preview(
                    request, adult_form=adult_form, error=adult_form.errors["is_adult"][0]
                )
        return super().handle_place_order_submission(request)

    def submit(
        self,
        user,
        basket,
        shipping_address,
        shipping_method,
        shipping_charge,
        billing_address,
        order_total,
        payment_kwargs=None,
        order_kwargs=None,
        surcharges=None,
    ):
        """Place the order (stock locked and allocated), then let the payment method take over.

        Any failure rolls the whole placement back and gives the buyer their basket again; a
        shortage names the product and how many are left, on the basket page where it can be fixed.
        """
        assert basket.is_tax_known and shipping_charge.is_tax_known, "Tax must be known to place an order"
        order_number = self.generate_order_number(basket)
        self.checkout_session.set_order_number(order_number)
        logger.info("Order #%s: placing order for basket #%d", order_number, basket.id)
        # Frozen, the basket cannot change while the order is written (or paid for, later).
        self.freeze_basket(basket)
        self.checkout_session.set_submitted_basket(basket)
        try:
            return self.handle_order_placement(
                order_number,
                user,
                basket,
                shipping_address,
                shipping_method,
                shipping_charge,
                billing_address,
                order_total,
                surcharges=surcharges,
                **(order_kwargs or {}),
            )
        except InsufficientStock as e:
            logger.info("Order #%s: not placed, %s", order_number, e)
            self.restore_frozen_basket()
            messages.error(self.request, str(e))
            return redirect("basket:summary")
        except UnableToPlaceOrder as e:
            logger.warning("Order #%s: not placed, %s", order_number, e)
            self.restore_frozen_basket()
            return self.render_preview(self.request, error=str(e))
        except Exception as exc:
            self.restore_frozen_basket()
            if is_database_busy(exc):  # a lock or statement timeout: "busy, try again" (core.db_busy)
                logger.warning("Order #%s: not placed, the database was busy", order_number)
                raise
            logger.exception("Order #%s: unexpected error while placing the order", order_number)
            return self.render_preview(
                self.request,
                error=_("A problem occurred while placing this order. Please contact customer services."),
            )

    def handle_order_placement(
        self,
        order_number,
        user,
        basket,
        shipping_address,
        shipping_method,
        shipping_charge,
        billing_address,
        order_total,
        surcharges=None,
        **kwargs,
    ):
        """Write the order and everything that belongs with it in one transaction."""
        method = self.get_payment_method()
        if method is None:
            raise UnableToPlaceOrder(gettext("Please choose how you would like to pay."))
        with transaction.atomic():
            order = self.place_order(
                order_number=order_number,
                user=user,
                basket=basket,
                shipping_address=shipping_address,
                shipping_method=shipping_method,
                shipping_charge=shipping_charge,
                order_total=order_total,
                billing_address=billing_address,
                surcharges=surcharges,
                **kwargs,
            )
            method.order_placed(order=order, user=user)
            self.record_adult_confirmation(order, basket)
            basket.submit()
            # In the outbox, with the order: sent after the commit, even if Redis is down now.
            order_confirmation_record(order=order)
            # The guest's verified mobile number, and an SMS confirmation for an order without e-mail.
            order_mobile_record(order=order, guest_mobile=self.checkout_session.get_guest_mobile())
        self._order = order
        return self.handle_successful_order(order)

    def record_adult_confirmation(self, order, basket):
        titles = adults_only_titles(basket)
        if titles:
            order.notes.create(
                note_type=OrderNote.SYSTEM,
                user=order.user,
                message=gettext("The buyer confirmed being 18 or older (adults-only: %(titles)s).")
                % {"titles": "、".join(titles)},
            )

    def send_order_placed_email(self, order):
        """Not in the request: ``handle_order_placement`` records the e-mail in the outbox."""

    def restore_frozen_basket(self):
        # A concurrent request may have placed this basket's order already: never reopen it then.
        basket_id = self.checkout_session.get_submitted_basket_id()
        if Basket._default_manager.filter(pk=basket_id, status=Basket.FROZEN).exists():
            super().restore_frozen_basket()

    def get_success_url(self):
        method = registry.for_order(self._order) if self._order else None
        next_url = method.next_url(order=self._order, request=self.request) if method else None
        return next_url or super().get_success_url()


class ThankYouView(views.ThankYouView):
    def get_context_data(self, *args, **kwargs):
        ctx = super().get_context_data(*args, **kwargs)
        ctx["payment_method"] = registry.for_order(ctx["order"])
        return ctx
