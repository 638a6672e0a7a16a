"""Bulk orders (issue 13, part 4): a member orders the basket, an order sheet, or a past order
again (/shop/channels/org/orders/…); a channel manager confirms orders (/shop/channels/orders/).
The work is ``channels.services.bulk``'s; these views only read forms and show every error."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from channels.models import OrganisationOrder
from channels.order_forms import OrderDetailsForm, OrderSheetForm
from channels.order_sheets import order_sheet_check
from channels.services import bulk
from channels.sheets import SheetError, read_sheet
from channels.views.desk import DeskMixin
from channels.views.org import MemberMixin


class MemberOrderMixin(MemberMixin):
    section = "orders"

    def load_objects(self):
        if "pk" in self.kwargs:
            self.link = get_object_or_404(
                OrganisationOrder.objects.filter(organisation=self.organisation).select_related("order"),
                pk=self.kwargs["pk"],
            )


class OrderListView(MemberOrderMixin, TemplateView):
    template_name = "channels/orders/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["links"] = list(
            self.organisation.order_links.select_related("order", "placed_by").order_by("-created_at", "-pk")[
                :100
            ]
        )
        context["today"] = timezone.localdate()
        return context


class BasketOrderView(MemberOrderMixin, TemplateView):
    """Order what is in the basket: all lines to one site and day, or a line to its own."""

    template_name = "channels/orders/basket.html"

    def get_context_data(self, form=None, errors=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            form=form or OrderDetailsForm(organisation=self.organisation),
            lines=list(self.request.basket.all_lines()),
            sites=list(self.organisation.sites.filter(is_active=True)),
            errors=errors or [],
        )
        return context

    def post(self, request, *args, **kwargs):
        form = OrderDetailsForm(request.POST, organisation=self.organisation)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        choices, errors = {}, []
        sites = {str(site.pk): site.pk for site in self.organisation.sites.all()}
        for line in request.basket.all_lines():
            site = request.POST.get(f"site-{line.pk}") or ""
            day = request.POST.get(f"date-{line.pk}") or ""
            if not site and not day:
                continue
            try:
                line_day = datetime.date.fromisoformat(day) if day else form.cleaned_data["delivery_date"]
            except ValueError:
                errors.append(
                    _("%(product)s: the delivery date is not a date.") % {"product": line.product.get_title()}
                )
                continue
            choices[line.pk] = (
                sites.get(site, form.cleaned_data["site"].pk) if site else form.cleaned_data["site"].pk,
                line_day,
            )
        if request.basket.is_empty:
            errors.append(_("Your basket is empty."))
        if not errors:
            try:
                order = bulk.basket_order_place(
                    user=request.user,
                    basket=request.basket,
                    site_id=form.cleaned_data["site"].pk,
                    date=form.cleaned_data["delivery_date"],
                    choices=choices,
                    po_number=form.cleaned_data["po_number"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                errors = list(error.messages)
            else:
                messages.success(request, _("Order %(number)s is placed.") % {"number": order.number})
                return redirect("channels:org-orders")
        return self.render_to_response(self.get_context_data(form=form, errors=errors), status=400)


class SheetOrderView(MemberOrderMixin, TemplateView):
    template_name = "channels/orders/sheet.html"

    def get_context_data(self, form=None, errors=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            form=form
            or OrderSheetForm(initial={"delivery_date": timezone.localdate() + datetime.timedelta(days=1)}),
            errors=errors or [],
            sites=list(self.organisation.sites.filter(is_active=True)),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = OrderSheetForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        try:
            rows = read_sheet(form.cleaned_data["sheet"])
        except SheetError as error:
            return self.render_to_response(self.get_context_data(form=form, errors=[str(error)]), status=400)
        checked = order_sheet_check(
            rows, organisation=self.organisation, default_date=form.cleaned_data["delivery_date"]
        )
        if checked.errors:
            return self.render_to_response(
                self.get_context_data(form=form, errors=[str(error) for error in checked.errors]), status=400
            )
        try:
            order = bulk.channel_order_place(
                user=request.user,
                lines=checked.lines,
                source=OrganisationOrder.Source.SHEET,
                po_number=form.cleaned_data["po_number"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            return self.render_to_response(
                self.get_context_data(form=form, errors=list(error.messages)), status=400
            )
        messages.success(
            request,
            _("Order %(number)s is placed: %(count)s lines.")
            % {"number": order.number, "count": len(checked.lines)},
        )
        return redirect("channels:org-orders")


class ReorderView(MemberOrderMixin, View):
    def post(self, request, *args, **kwargs):
        try:
            day = datetime.date.fromisoformat(request.POST.get("delivery_date", ""))
        except ValueError:
            day = timezone.localdate() + datetime.timedelta(days=1)
        try:
            order = bulk.reorder_place(user=request.user, link=self.link, date=day)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("Ordered again: order %(number)s is placed.") % {"number": order.number}
            )
        return redirect("channels:org-orders")


# --- The desk ------------------------------------------------------------------------------------------
class DeskOrdersView(DeskMixin, TemplateView):
    section = "orders"
    template_name = "channels/orders/desk_list.html"

    def get_context_data(self, **kwargs):
        from channels import selectors_orders

        context = super().get_context_data(**kwargs)
        context["links"] = list(selectors_orders.orders_to_confirm(self.channels)[:200])
        return context


class DeskOrderConfirmView(DeskMixin, View):
    def load_objects(self):
        self.link = get_object_or_404(
            OrganisationOrder.objects.select_related("organisation", "order"), pk=self.kwargs["pk"]
        )
        return self.check_channel(self.link.organisation.channel)

    def post(self, request, *args, **kwargs):
        try:
            bulk.organisation_order_confirm(link=self.link, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Order %(number)s confirmed.") % {"number": self.link.order.number})
        return redirect("channels:desk-orders")
