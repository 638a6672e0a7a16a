"""Staff views: find online payments (card, Alipay, WeChat Pay), refund them, close a review."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView, View

from .. import selectors, services
from ..models import StripePayment, StripeRefund
from ..stripe_gateway import StripeRejected, StripeUnavailable
from .forms import PaymentSearchForm, RefundForm, ReviewClearForm


def _order_url(order) -> str:
    return reverse("dashboard:order-detail", kwargs={"number": order.number}) + "#payment"


class PaymentListView(ListView):
    template_name = "payment/dashboard/payment_list.html"
    context_object_name = "payments"
    paginate_by = 25

    def get_queryset(self):
        self.form = PaymentSearchForm(self.request.GET or None)
        filters = self.form.cleaned_data if self.form.is_valid() else {}
        return selectors.dashboard_payments(
            state=filters.get("state", ""),
            method=filters.get("method", ""),
            needs_review=filters.get("needs_review", False),
            query=filters.get("query", "").strip(),
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=self.form, **kwargs)


class RefundCreateView(FormView):
    """The refund page of one order: its card payment, earlier refunds, and the refund form."""

    template_name = "payment/dashboard/refund_form.html"
    form_class = RefundForm

    def dispatch(self, request, *args, **kwargs):
        self.payment = get_object_or_404(
            StripePayment.objects.select_related("order"), order__number=kwargs["number"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"amount": self.payment.amount_refundable, "token": services.new_refund_token()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            payment=self.payment,
            order=self.payment.order,
            refunds=self.payment.refunds.select_related("requested_by"),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            refund = services.stripe_refund_request(
                payment=self.payment,
                amount=form.cleaned_data["amount"],
                token=form.cleaned_data["token"],
                user=self.request.user,
                reason=form.cleaned_data["reason"],
            )
        except services.RefundNotAllowed as exc:
            form.add_error("amount", exc.message)
            return self.form_invalid(form)
        return _submit(self.request, refund)


class RefundSendView(View):
    """Send a saved refund request again (Stripe did not answer the first time); same key."""

    def post(self, request, pk):
        refund = get_object_or_404(StripeRefund.objects.select_related("payment__order"), pk=pk)
        if refund.state != StripeRefund.State.REQUESTED:
            raise Http404
        return _submit(request, refund)


def _submit(request, refund):
    order = refund.payment.order
    try:
        refund = services.stripe_refund_submit(refund=refund)
    except StripeUnavailable:
        messages.error(
            request,
            _("Stripe did not answer. The refund is saved but not sent: press “Send again” in a moment."),
        )
        return redirect("payment_dashboard:stripe-refund-create", number=order.number)
    except StripeRejected as exc:
        messages.error(request, _("Stripe refused the refund: %(reason)s") % {"reason": exc})
        return redirect("payment_dashboard:stripe-refund-create", number=order.number)
    if refund.state == StripeRefund.State.SUCCEEDED:
        messages.success(request, _("Refund sent to Stripe and recorded on the order."))
    else:
        messages.info(request, _("Stripe accepted the refund; it is recorded once Stripe confirms it."))
    return redirect(_order_url(order))


class ReviewClearView(FormView):
    form_class = ReviewClearForm
    template_name = "payment/dashboard/refund_form.html"

    def form_valid(self, form):
        payment = get_object_or_404(StripePayment, pk=self.kwargs["pk"])
        services.stripe_payment_review_clear(
            payment=payment, user=self.request.user, note=form.cleaned_data["note"]
        )
        messages.success(self.request, _("Review closed; your note is on the order."))
        return redirect(_order_url(payment.order))

    def form_invalid(self, form):
        payment = get_object_or_404(StripePayment.objects.select_related("order"), pk=self.kwargs["pk"])
        messages.error(self.request, _("Say what was checked or done before closing the review."))
        return redirect("payment_dashboard:stripe-refund-create", number=payment.order.number)

    def get(self, request, *args, **kwargs):
        raise Http404
