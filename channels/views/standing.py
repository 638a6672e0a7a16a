"""An organisation's standing deliveries, under /shop/channels/org/standing/: every member sees them
and the coming runs; administrators create, change, pause and resume them. A schedule named in a URL
is read through the organisation's own queryset (another organisation's: 404)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from oscar.core.loading import get_model

from channels.forms import add_validation_error
from channels.models import PriceListEntry
from channels.services import standing as service
from channels.standing_forms import LINE_ROWS, StandingLineFormSet, StandingOrderForm
from channels.views.org import MemberMixin

Product = get_model("catalogue", "Product")


def priced_products(organisation):
    """Products with a price for the organisation today (what a standing delivery may list)."""
    today = timezone.localdate()
    product_ids = (
        PriceListEntry.objects.filter(
            Q(price_list__channel=organisation.channel, price_list__organisation__isnull=True)
            | Q(price_list__organisation=organisation),
            valid_from__lte=today,
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .values("product_id")
    )
    return Product.objects.filter(pk__in=product_ids).order_by("title", "pk")


class StandingListView(MemberMixin, TemplateView):
    section = "standing"
    template_name = "channels/documents/standing_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            standing_orders=list(
                self.organisation.standing_orders.select_related("site").prefetch_related("lines__product")
            ),
            outlook=service.standing_outlook(organisation=self.organisation),
        )
        return context


class StandingFormView(MemberMixin, TemplateView):
    section = "standing"
    admin_only = True
    template_name = "channels/documents/standing_form.html"

    def load_objects(self):
        self.standing = None
        if "pk" in self.kwargs:
            self.standing = get_object_or_404(self.organisation.standing_orders, pk=self.kwargs["pk"])

    def forms(self, data=None):
        products = priced_products(self.organisation)
        if self.standing is not None and data is None:
            form = StandingOrderForm(
                organisation=self.organisation, initial=StandingOrderForm.initial_for(self.standing)
            )
            initial = [
                {"product": line.product_id, "quantity": line.quantity} for line in self.standing.lines.all()
            ]
        else:
            form = StandingOrderForm(data, organisation=self.organisation)
            initial = []
        initial += [{}] * max(LINE_ROWS - len(initial), 2)
        lines = StandingLineFormSet(
            data,
            initial=None if data is not None else initial,
            prefix="lines",
            form_kwargs={"products": products},
        )
        return form, lines

    def get_context_data(self, form=None, lines=None, **kwargs):
        context = super().get_context_data(**kwargs)
        if form is None:
            form, lines = self.forms()
        context.update(standing=self.standing, form=form, lines=lines)
        return context

    def post(self, request, *args, **kwargs):
        form, lines = self.forms(request.POST)
        if form.is_valid() and lines.is_valid():
            specs = [
                service.LineSpec(product=row["product"], quantity=row["quantity"])
                for row in lines.cleaned_data
                if row.get("product")
            ]
            try:
                standing = service.standing_order_save(
                    organisation=self.organisation,
                    by=request.user,
                    instance=self.standing,
                    lines=specs,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                messages.success(request, _("Standing delivery “%(name)s” saved.") % {"name": standing.name})
                return redirect("channels:org-standing")
        return self.render_to_response(self.get_context_data(form=form, lines=lines), status=400)


class StandingPauseView(MemberMixin, View):
    admin_only = True

    def post(self, request, pk):
        standing = get_object_or_404(self.organisation.standing_orders, pk=pk)
        paused = request.POST.get("paused") == "1"
        try:
            service.standing_order_pause(standing=standing, by=request.user, paused=paused)
        except PermissionDenied as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("“%(name)s” is paused: no day is ordered until you resume it.") % {"name": standing.name}
                if paused
                else _("“%(name)s” resumed.") % {"name": standing.name},
            )
        return redirect("channels:org-standing")
