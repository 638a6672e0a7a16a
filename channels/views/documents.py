"""Deliveries and their documents (delivery note, receiving packet, purchase ledger).

Reachable by the organisation's members, its channel's managers and staff, and by no one else: every
object named in a URL is looked up and then checked with ``documents.may_see_organisation``; anyone
else gets 404 (not 403: another organisation's delivery numbers are not confirmed to exist).
Anonymous visitors are sent to sign in. Documents are made by a worker; a request only queues one
(POST) and the document's page follows its progress.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from channels import documents, selectors
from channels.models import Delivery, GeneratedDocument, Organisation
from channels.services.standing import standing_outlook
from channels.views.org import MemberMixin
from core.uploads import file_response

DELIVERY_KINDS = {
    "delivery-note": GeneratedDocument.Kind.DELIVERY_NOTE,
    "receiving-packet": GeneratedDocument.Kind.RECEIVING_PACKET,
}


class SignedInMixin:
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().dispatch(request, *args, **kwargs)

    def check(self, organisation: Organisation) -> None:
        if not documents.may_see_organisation(self.request.user, organisation):
            raise Http404


class DeliveryListView(MemberMixin, TemplateView):
    """A member's deliveries: the coming week (with any shortfall), the recent ones, the ledger."""

    section = "deliveries"
    template_name = "channels/documents/deliveries.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        context.update(
            outlook=standing_outlook(organisation=self.organisation, today=today),
            deliveries=list(
                Delivery.objects.filter(organisation_order__organisation=self.organisation, date__lt=today)
                .select_related("site", "organisation_order__order")
                .order_by("-date", "-pk")[:30]
            ),
            recent_documents=list(documents.documents_for(self.organisation)[:10]),
            last_month=(today.replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m"),
        )
        return context


class DeliveryDetailView(SignedInMixin, TemplateView):
    template_name = "channels/documents/delivery.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        delivery = get_object_or_404(
            Delivery.objects.select_related(
                "site", "organisation_order__organisation", "organisation_order__order"
            ),
            pk=self.kwargs["pk"],
        )
        organisation = delivery.organisation_order.organisation
        self.check(organisation)
        context.update(
            delivery=delivery,
            organisation=organisation,
            link=delivery.organisation_order,
            rows=documents.delivery_rows(delivery),
            documents=list(documents.documents_for(organisation, delivery=delivery)[:10]),
            membership=selectors.membership_for(self.request.user),
        )
        return context


class DeliveryDocumentRequestView(SignedInMixin, View):
    """POST: queue a delivery note or receiving packet of the delivery."""

    def post(self, request, pk, kind):
        if kind not in DELIVERY_KINDS:
            raise Http404
        delivery = get_object_or_404(
            Delivery.objects.select_related("organisation_order__organisation"), pk=pk
        )
        organisation = delivery.organisation_order.organisation
        self.check(organisation)
        document = documents.document_request(
            kind=DELIVERY_KINDS[kind], organisation=organisation, delivery=delivery, by=request.user
        )
        return redirect("channels:document", pk=document.pk)


class LedgerRequestView(SignedInMixin, View):
    """POST month=YYYY-MM: queue the organisation's purchase ledger of that month."""

    def post(self, request, pk):
        organisation = get_object_or_404(Organisation, pk=pk)
        self.check(organisation)
        try:
            month = datetime.datetime.strptime(request.POST.get("month", ""), "%Y-%m").date()
        except ValueError:
            from django.contrib import messages

            messages.error(request, _("Choose a month, e.g. 2026-09."))
            return redirect(request.POST.get("next") or "channels:org-deliveries")
        document = documents.document_request(
            kind=GeneratedDocument.Kind.PURCHASE_LEDGER,
            organisation=organisation,
            month=month,
            by=request.user,
        )
        return redirect("channels:document", pk=document.pk)


def _document(view, pk) -> GeneratedDocument:
    document = get_object_or_404(GeneratedDocument.objects.select_related("organisation", "delivery"), pk=pk)
    view.check(document.organisation)
    return document


@method_decorator(require_safe, name="dispatch")
class DocumentView(SignedInMixin, TemplateView):
    """The document's state: refreshed every 2 s while it is being made; a JSON answer for scripts."""

    template_name = "channels/documents/document.html"

    def get(self, request, *args, **kwargs):
        document = _document(self, kwargs["pk"])
        if request.GET.get("format") == "json":
            return JsonResponse(
                {
                    "state": document.state,
                    "progress": document.progress,
                    "error": document.error,
                    "download": document.state == GeneratedDocument.State.DONE,
                }
            )
        return self.render_to_response(self.get_context_data(document=document))


@method_decorator(require_safe, name="dispatch")
class DocumentDownloadView(SignedInMixin, View):
    def get(self, request, pk):
        document = _document(self, pk)
        if document.state != GeneratedDocument.State.DONE:
            raise Http404
        return file_response(document.file, download_name=document.file_name.rsplit(".", 1)[0])
