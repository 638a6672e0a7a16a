"""Quotes (询价) pages: a member's, under /shop/channels/org/quotes/, and the desk's, under
/shop/channels/quotes/. A member reads quotes through the organisation's own queryset (another's
id: 404); a manager through the manager's channels (another channel's: 403, as the desk does)."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from channels.models import Quote
from channels.order_forms import AcceptForm, QuoteLineFormSet, QuotePriceForm, QuoteRequestForm, ReasonForm
from channels.services import quotes
from channels.views.desk import DeskMixin
from channels.views.org import MemberMixin


def _errors(error: ValidationError) -> list[str]:
    return list(error.messages)


# --- A member's quotes ------------------------------------------------------------------------------
class MemberQuoteMixin(MemberMixin):
    section = "quotes"

    def load_objects(self):
        if "pk" in self.kwargs:
            self.quote = get_object_or_404(
                Quote.objects.filter(organisation=self.organisation).select_related("site", "order"),
                pk=self.kwargs["pk"],
            )


class QuoteListView(MemberQuoteMixin, TemplateView):
    template_name = "channels/quotes/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["quotes"] = list(self.organisation.quotes.select_related("site", "order")[:100])
        return context


class QuoteCreateView(MemberQuoteMixin, TemplateView):
    template_name = "channels/quotes/form.html"

    def get_context_data(self, form=None, formset=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = form or QuoteRequestForm(organisation=self.organisation)
        context["formset"] = formset or QuoteLineFormSet(prefix="lines")
        return context

    def post(self, request, *args, **kwargs):
        form = QuoteRequestForm(request.POST, organisation=self.organisation)
        formset = QuoteLineFormSet(request.POST, prefix="lines")
        if form.is_valid() and formset.is_valid():
            lines = [(row["product"], row["quantity"]) for row in formset.cleaned_data if row.get("product")]
            try:
                quote = quotes.quote_request(
                    user=request.user,
                    site=form.cleaned_data["site"],
                    delivery_date=form.cleaned_data["delivery_date"],
                    lines=lines,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                for message in _errors(error):
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _("Quote %(number)s asked for: the channel manager will price it.")
                    % {"number": quote.number},
                )
                return redirect("channels:org-quote", pk=quote.pk)
        return self.render_to_response(self.get_context_data(form=form, formset=formset), status=400)


class QuoteDetailView(MemberQuoteMixin, TemplateView):
    template_name = "channels/quotes/detail.html"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        quote = self.quote
        lines = list(quote.lines.select_related("product", "product__parent"))
        total = sum((line.line_total for line in lines), start=0)
        expired = quote.status == Quote.Status.EXPIRED or (
            quote.status == Quote.Status.PRICED and quote.is_expired_on(timezone.localdate())
        )
        context.update(
            quote=quote,
            lines=lines,
            total=total,
            expired=expired,
            may_accept=quote.status == Quote.Status.PRICED
            and not expired
            and quotes.may_accept(self.membership, quote, total),
            needs_approver=quote.organisation.approval_threshold is not None
            and total > quote.organisation.approval_threshold,
            form=form or AcceptForm(),
        )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        form = AcceptForm(request.POST)
        try:
            if action == "accept" and form.is_valid():
                order = quotes.quote_accept(
                    quote=self.quote, user=request.user, po_number=form.cleaned_data["po_number"]
                )
                messages.success(
                    request, _("Quote accepted: order %(number)s is placed.") % {"number": order.number}
                )
                return redirect("channels:org-quote", pk=self.quote.pk)
            if action == "decline":
                quotes.quote_decline(quote=self.quote, by=request.user)
                messages.success(request, _("Quote declined."))
                return redirect("channels:org-quote", pk=self.quote.pk)
        except ValidationError as error:
            for message in _errors(error):
                form.add_error(None, message)
        except PermissionDenied:
            raise Http404 from None
        return self.render_to_response(self.get_context_data(form=form), status=400)


class QuotePdfView(MemberQuoteMixin, View):
    def get(self, request, *args, **kwargs):
        return quote_pdf_response(self.quote)


def quote_pdf_response(quote):
    data = bytes(quote.pdf or b"")
    if not data:
        return HttpResponse(
            _("The PDF of this quote is being prepared: try again in a minute."),
            status=404 if quote.status == Quote.Status.REQUESTED else 202,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{quote.number}.pdf"'
    return response


# --- The desk --------------------------------------------------------------------------------------------
class DeskQuoteListView(DeskMixin, TemplateView):
    section = "quotes"
    template_name = "channels/quotes/desk_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "open")
        qs = Quote.objects.in_channels(self.channels).select_related("organisation", "site")
        if status == "open":
            qs = qs.open()
        elif status in Quote.Status.values:
            qs = qs.filter(status=status)
        context.update(
            quotes=list(qs.order_by("created_at", "pk")[:200]), status=status, statuses=Quote.Status.choices
        )
        return context


class DeskQuoteDetailView(DeskMixin, TemplateView):
    section = "quotes"
    template_name = "channels/quotes/desk_detail.html"

    def load_objects(self):
        self.quote = get_object_or_404(
            Quote.objects.select_related("organisation", "site", "requested_by", "order"),
            pk=self.kwargs["pk"],
        )
        return self.check_channel(self.quote.organisation.channel)

    def quote_lines(self):
        """The quote's lines, each with the organisation's list price today and the floor under it."""
        lines = list(self.quote.lines.select_related("product", "product__parent"))
        listed = quotes.list_prices(self.quote.organisation, [line.product_id for line in lines])
        for line in lines:
            line.current_list_price = listed.get(line.product_id)
            line.floor = quotes.price_floor(line.current_list_price) if line.current_list_price else None
        return lines

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        lines = form.lines if form is not None else self.quote_lines()
        initial = {"valid_until": timezone.localdate() + datetime.timedelta(days=7)}
        initial.update({f"price-{line.pk}": line.current_list_price for line in lines})
        context.update(
            quote=self.quote,
            lines=lines,
            total=sum((line.line_total for line in lines), start=0),
            form=form or QuotePriceForm(lines=lines, initial=initial),
            reason_form=ReasonForm(),
        )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        form = QuotePriceForm(request.POST, lines=self.quote_lines())
        try:
            if action == "price" and form.is_valid():
                quotes.quote_price(
                    quote=self.quote,
                    by=request.user,
                    prices=form.prices(),
                    valid_until=form.cleaned_data["valid_until"],
                    note=form.cleaned_data["note"],
                )
                messages.success(request, _("Quote priced: the organisation can accept it now."))
                return redirect("channels:desk-quote", pk=self.quote.pk)
            if action == "decline":
                reason = ReasonForm(request.POST)
                reason.is_valid()
                quotes.quote_decline(
                    quote=self.quote, by=request.user, reason=reason.cleaned_data.get("reason", "")
                )
                messages.success(request, _("Quote declined."))
                return redirect("channels:desk-quote", pk=self.quote.pk)
        except ValidationError as error:
            for message in _errors(error):
                form.add_error(None, message)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class DeskQuotePdfView(DeskQuoteDetailView, View):
    def get(self, request, *args, **kwargs):
        return quote_pdf_response(self.quote)
