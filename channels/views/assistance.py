"""The assistance ledger (消费帮扶台账, issue 13 part 9): what an organisation bought from Shiyan in a
year, against its pledge (``channels.ledger``).

Its members read it at ``org/assistance/`` (the organisation is their membership, never the URL);
the managers of its channel and platform staff at ``organisations/<pk>/assistance/`` (the desk's
object check: 403 for another channel's). Its administrator sets the pledge. The XLSX goes through
the documents pipeline (made by a worker, served to the organisation, its managers and staff only).
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from channels import documents, ledger
from channels.forms import PledgeForm
from channels.models import GeneratedDocument, Organisation
from channels.services.pledges import assistance_pledge_set, pledge_years
from channels.views.desk import DeskMixin
from channels.views.documents import SignedInMixin
from channels.views.org import MemberMixin, ServiceFormMixin


class LedgerPageMixin:
    """Reads ``?year=`` (this year by default); a bad year is a clear message with a 400, not a 500."""

    def ledger_organisation(self) -> Organisation:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        organisation = self.ledger_organisation()
        try:
            year = ledger.ledger_year(request.GET.get("year"))
        except ValidationError as error:
            context = self.get_context_data(year_error=error.messages[0], ledger=None, year=None)
            return self.render_to_response(context, status=400)
        context = self.get_context_data(ledger=ledger.organisation_ledger(organisation, year), year=year)
        return self.render_to_response(context)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = self.ledger_organisation()
        context.update(
            ledger_organisation=organisation,
            years=ledger.ledger_years(),
            how_we_count=ledger.how_we_count(),
            download_url=reverse("channels:assistance-download", kwargs={"pk": organisation.pk}),
        )
        return context


class OrgAssistanceView(MemberMixin, LedgerPageMixin, TemplateView):
    section = "assistance"
    template_name = "channels/assistance/org.html"

    def ledger_organisation(self) -> Organisation:
        return self.organisation


class PledgeView(MemberMixin, ServiceFormMixin, FormView):
    section = "assistance"
    admin_only = True
    template_name = "channels/assistance/pledge_form.html"
    form_class = PledgeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "years": pledge_years()}

    def get_initial(self):
        year = pledge_years()[0]
        return {"year": year, "amount": ledger.pledge_for(self.organisation, year)}

    def save(self, form):
        self.pledge = assistance_pledge_set(
            organisation=self.organisation, by=self.request.user, **form.cleaned_data
        )
        messages.success(
            self.request,
            _("Pledge for %(year)s saved: ¥%(amount)s.")
            % {"year": self.pledge.year, "amount": self.pledge.amount},
        )

    def get_success_url(self):
        year = min(self.pledge.year, ledger.ledger_years()[0])
        return f"{reverse('channels:org-assistance')}?year={year}"


class DeskAssistanceView(DeskMixin, LedgerPageMixin, TemplateView):
    section = "organisations"
    template_name = "channels/assistance/desk.html"

    def load_objects(self):
        self.organisation = get_object_or_404(Organisation, pk=self.kwargs["pk"])
        return self.check_channel(self.organisation.channel)

    def ledger_organisation(self) -> Organisation:
        return self.organisation

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "organisation": self.organisation}


class AssistanceDownloadView(SignedInMixin, View):
    """POST year=YYYY: queue the organisation's assistance ledger of that year as XLSX."""

    def post(self, request, pk):
        organisation = get_object_or_404(Organisation, pk=pk)
        self.check(organisation)
        try:
            year = ledger.ledger_year(request.POST.get("year") or "x")
        except ValidationError as error:
            messages.error(request, error.messages[0])
            back = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
                back = reverse("channels:org-assistance")
            return redirect(back)
        document = documents.document_request(
            kind=GeneratedDocument.Kind.ASSISTANCE_LEDGER,
            organisation=organisation,
            month=datetime.date(year, 1, 1),
            by=request.user,
        )
        return redirect("channels:document", pk=document.pk)
