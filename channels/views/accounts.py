"""Payment terms on account: a member's account, invoices and statements (under /org/), and the
desk's overdue accounts, terms, invoices with payments, statements and fapiao requests.

A member reaches only their own organisation's invoices and statements: objects are read through the
organisation (``MemberMixin``), so another organisation's id is simply not found (404). The desk
checks each object's channel against the manager's (403 for another channel's).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, DecimalField, F, Min, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from channels import statements
from channels.account_forms import FapiaoIssuedForm, FapiaoRequestForm, PaymentForm, TermsForm
from channels.forms import add_validation_error
from channels.models import FapiaoRequest, Invoice, Organisation, Statement
from channels.services import accounts
from channels.views.desk import DeskMixin
from channels.views.org import MemberMixin
from core.uploads import file_response

FILE_FORMATS = ("pdf", "xlsx")


def overdue_accounts(channels, today=None) -> list[dict]:
    """Organisations of ``channels`` with invoices past due: owed, overdue, oldest due day (one query)."""
    today = today or timezone.localdate()
    owed = F("amount") - F("amount_paid")
    zero = Value(0, output_field=DecimalField(max_digits=12, decimal_places=2))
    rows = (
        Invoice.objects.filter(organisation__channel__in=list(channels), status=Invoice.Status.OPEN)
        .values(
            "organisation_id", "organisation__name", "organisation__channel", "organisation__credit_limit"
        )
        .annotate(
            owed=Coalesce(Sum(owed), zero),
            overdue=Coalesce(Sum(owed, filter=Q(due_on__lt=today)), zero),
            overdue_count=Count("pk", filter=Q(due_on__lt=today)),
            oldest_due=Min("due_on", filter=Q(due_on__lt=today)),
        )
        .filter(overdue_count__gt=0)
        .order_by("oldest_due", "organisation_id")
    )
    result = []
    for row in rows:
        row["days"] = (today - row["oldest_due"]).days
        result.append(row)
    return result


def account_summary(organisation: Organisation) -> dict:
    used = accounts.credit_used(organisation.pk)
    return {"used": used, "available": organisation.credit_limit - used, "limit": organisation.credit_limit}


def _month_or_404(value):
    month = statements.month_of(value)
    if month is None or month > timezone.localdate():
        raise Http404
    return month


def _statement_file(organisation, month, fmt):
    if fmt not in FILE_FORMATS:
        raise Http404
    statement = Statement.objects.filter(
        organisation=organisation, month=month, state=Statement.State.READY
    ).first()
    if statement is None:
        raise Http404
    return file_response(getattr(statement, fmt), download_name=f"statement-{organisation.pk}-{month:%Y-%m}")


# --- A member's pages -------------------------------------------------------------------------------
class OrgAccountView(MemberMixin, TemplateView):
    section = "account"
    template_name = "channels/accounts/org_account.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        invoices = list(
            self.organisation.invoices.select_related("order", "fapiao_request").order_by(
                "-issued_on", "-pk"
            )[:100]
        )
        for invoice in invoices:
            invoice.late = invoice.days_overdue(today)
        context.update(
            summary=account_summary(self.organisation),
            invoices=invoices,
            months=statements.statement_months(self.organisation, today),
        )
        return context


class OrgInvoiceView(MemberMixin, TemplateView):
    section = "account"
    template_name = "channels/accounts/org_invoice.html"

    def load_objects(self):
        self.invoice = get_object_or_404(
            Invoice.objects.select_related("order"), pk=self.kwargs["pk"], organisation=self.organisation
        )

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            invoice=self.invoice,
            lines=list(self.invoice.lines.all()),
            payments=list(self.invoice.payments.all()),
            fapiao=FapiaoRequest.objects.filter(invoice=self.invoice).first(),
            form=form or FapiaoRequestForm(),
            late=self.invoice.days_overdue(timezone.localdate()),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = FapiaoRequestForm(request.POST)
        if form.is_valid():
            try:
                accounts.fapiao_request(
                    invoice=self.invoice, membership=self.membership, note=form.cleaned_data["note"]
                )
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                messages.success(
                    request, _("Fapiao requested: the accountant issues it with the billing details shown.")
                )
                return redirect("channels:org-invoice", pk=self.invoice.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class StatementPageMixin:
    template_name = "channels/accounts/statement.html"

    def statement_context(self, organisation, month):
        return {
            "statement": statements.statement_for(organisation, month),
            "files": Statement.objects.filter(organisation=organisation, month=month).first(),
            "month": month,
        }


class OrgStatementView(StatementPageMixin, MemberMixin, TemplateView):
    section = "account"

    def load_objects(self):
        self.month = _month_or_404(self.kwargs["month"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.statement_context(self.organisation, self.month))
        context["file_url_name"] = "channels:org-statement-file"
        return context

    def post(self, request, *args, **kwargs):
        statements.statement_request(organisation=self.organisation, month=self.month)
        messages.success(request, _("The PDF and XLSX are being prepared; this page offers them once ready."))
        return redirect("channels:org-statement", month=f"{self.month:%Y-%m}")


class OrgStatementFileView(MemberMixin, View):
    def get(self, request, *args, **kwargs):
        return _statement_file(self.organisation, _month_or_404(kwargs["month"]), kwargs["fmt"])


# --- The desk ---------------------------------------------------------------------------------------
class DeskAccountsView(DeskMixin, TemplateView):
    section = "accounts"
    template_name = "channels/accounts/desk_accounts.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        on_account = list(
            Organisation.objects.filter(
                channel__in=self.channels, payment_mode=Organisation.PaymentMode.ON_ACCOUNT
            )
            .annotate(
                used=Coalesce(
                    Sum(
                        F("invoices__amount") - F("invoices__amount_paid"),
                        filter=Q(invoices__status=Invoice.Status.OPEN),
                    ),
                    Value(0, output_field=DecimalField(max_digits=12, decimal_places=2)),
                )
            )
            .order_by("channel", "short_name")
        )
        context.update(
            overdue=overdue_accounts(self.channels),
            on_account=on_account,
            open_fapiao=FapiaoRequest.objects.filter(
                organisation__channel__in=self.channels, status=FapiaoRequest.Status.REQUESTED
            ).count(),
        )
        return context


class DeskOrganisationMixin(DeskMixin):
    section = "accounts"

    def load_objects(self):
        self.organisation = get_object_or_404(Organisation, pk=self.kwargs["pk"])
        return self.check_channel(self.organisation.channel)


class DeskTermsView(DeskOrganisationMixin, TemplateView):
    template_name = "channels/accounts/desk_terms.html"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = self.organisation
        today = timezone.localdate()
        invoices = list(organisation.invoices.select_related("order").order_by("-issued_on", "-pk")[:50])
        for invoice in invoices:
            invoice.late = invoice.days_overdue(today)
        context.update(
            organisation=organisation,
            summary=account_summary(organisation),
            invoices=invoices,
            months=statements.statement_months(organisation, today),
            form=form
            or TermsForm(
                initial={
                    "payment_mode": organisation.payment_mode,
                    "net_days": organisation.net_days,
                    "credit_limit": organisation.credit_limit,
                }
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = TermsForm(request.POST)
        if form.is_valid():
            try:
                accounts.terms_update(organisation=self.organisation, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                messages.success(request, _("Payment terms saved."))
                return redirect("channels:desk-account", pk=self.organisation.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class DeskInvoiceView(DeskMixin, TemplateView):
    section = "accounts"
    template_name = "channels/accounts/desk_invoice.html"

    def load_objects(self):
        self.invoice = get_object_or_404(
            Invoice.objects.select_related("organisation", "order"), pk=self.kwargs["pk"]
        )
        return self.check_channel(self.invoice.organisation.channel)

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            invoice=self.invoice,
            organisation=self.invoice.organisation,
            lines=list(self.invoice.lines.all()),
            payments=list(self.invoice.payments.select_related("recorded_by")),
            fapiao=FapiaoRequest.objects.filter(invoice=self.invoice).first(),
            form=form or PaymentForm(initial={"amount": self.invoice.outstanding}),
            late=self.invoice.days_overdue(timezone.localdate()),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = PaymentForm(request.POST)
        if form.is_valid():
            try:
                accounts.payment_record(invoice=self.invoice, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                messages.success(request, _("Payment recorded."))
                return redirect("channels:desk-invoice", pk=self.invoice.pk)
        self.invoice.refresh_from_db()
        return self.render_to_response(self.get_context_data(form=form), status=400)


class DeskStatementView(StatementPageMixin, DeskOrganisationMixin, TemplateView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        month = _month_or_404(self.kwargs["month"])
        context.update(self.statement_context(self.organisation, month))
        context.update(organisation=self.organisation, desk=True)
        return context

    def post(self, request, *args, **kwargs):
        month = _month_or_404(kwargs["month"])
        statements.statement_request(organisation=self.organisation, month=month)
        messages.success(request, _("The PDF and XLSX are being prepared; this page offers them once ready."))
        return redirect("channels:desk-statement", pk=self.organisation.pk, month=f"{month:%Y-%m}")


class DeskStatementFileView(DeskOrganisationMixin, View):
    def get(self, request, *args, **kwargs):
        return _statement_file(self.organisation, _month_or_404(kwargs["month"]), kwargs["fmt"])


class DeskFapiaoView(DeskMixin, TemplateView):
    section = "accounts"
    template_name = "channels/accounts/desk_fapiao.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", FapiaoRequest.Status.REQUESTED)
        requests = statements.fapiao_open_requests(self.channels).select_related("organisation", "invoice")
        if status in FapiaoRequest.Status.values:
            requests = requests.filter(status=status)
        context.update(
            requests=list(requests[:200]),
            status=status,
            statuses=FapiaoRequest.Status.choices,
            form=FapiaoIssuedForm(),
        )
        return context


class DeskFapiaoExportView(DeskMixin, View):
    def get(self, request, *args, **kwargs):
        fmt = kwargs["fmt"]
        if fmt not in ("csv", "xlsx"):
            raise Http404
        requests = statements.fapiao_open_requests(self.channels)
        status = request.GET.get("status", FapiaoRequest.Status.REQUESTED)
        if status in FapiaoRequest.Status.values:
            requests = requests.filter(status=status)
        if fmt == "csv":
            response = HttpResponse(statements.fapiao_csv(requests), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(
                statements.fapiao_xlsx(requests),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response["Content-Disposition"] = f'attachment; filename="fapiao-{timezone.localdate():%Y%m%d}.{fmt}"'
        return response


class DeskFapiaoIssuedView(DeskMixin, View):
    def load_objects(self):
        self.request_row = get_object_or_404(
            FapiaoRequest.objects.select_related("organisation"), pk=self.kwargs["pk"]
        )
        return self.check_channel(self.request_row.organisation.channel)

    def post(self, request, *args, **kwargs):
        form = FapiaoIssuedForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Enter the fapiao number."))
        else:
            try:
                accounts.fapiao_mark_issued(
                    request=self.request_row, number=form.cleaned_data["fapiao_number"], by=request.user
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Marked issued."))
        return redirect("channels:desk-fapiao")
