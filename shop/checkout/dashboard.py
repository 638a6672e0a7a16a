"""Staff: confirm on Oscar's order page that a bank transfer arrived (a button in the Payment tab)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from oscar.core.loading import get_model

from .holds import TransferNotConfirmed, order_bank_transfer_confirm

Order = get_model("order", "Order")


class TransferConfirmForm(forms.Form):
    reference = forms.CharField(
        label=gettext_lazy("Bank reference"),
        max_length=128,
        help_text=gettext_lazy("The reference on the bank statement, so the payment can be found again."),
    )


@login_required
@require_POST
def bank_transfer_confirm(request, number):
    """Record the transfer through ``order_bank_transfer_confirm``; the order page says what happened."""
    if not (request.user.is_staff and request.user.has_perm("order.change_order")):
        raise PermissionDenied
    order = get_object_or_404(Order, number=number)
    back = reverse("dashboard:order-detail", kwargs={"number": order.number}) + "#payment"
    form = TransferConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the bank's reference of the transfer."))
        return redirect(back)
    try:
        order_bank_transfer_confirm(order=order, user=request.user, reference=form.cleaned_data["reference"])
    except TransferNotConfirmed as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request,
            _("Order %(number)s is paid: the bank transfer is recorded and the buyer will get a receipt.")
            % {"number": order.number},
        )
    return redirect(back)
