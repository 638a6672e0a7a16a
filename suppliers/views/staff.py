"""Staff review in the dashboard: applications and suppliers, their documents, and status decisions."""

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView, TemplateView

from core.uploads import file_response
from suppliers import services
from suppliers.forms import StatusDecisionForm
from suppliers.models import Certification, Supplier, SupplierDocument
from suppliers.views.public import scan_download_name


class StaffMixin:
    """Staff only (as Oscar's dashboard): anyone else is sent to the sign-in page."""

    @method_decorator(staff_member_required(login_url="customer:login"))
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)


class SupplierReviewListView(StaffMixin, ListView):
    template_name = "suppliers/staff/supplier_list.html"
    context_object_name = "suppliers"
    paginate_by = 30

    def get_queryset(self):
        self.status = self.request.GET.get("status", Supplier.Status.APPLIED)
        suppliers = Supplier.objects.select_related("partner").order_by("-created_at", "-pk")
        if self.status in Supplier.Status.values:
            suppliers = suppliers.filter(status=self.status)
        query = self.request.GET.get("q", "").strip()
        if query:
            suppliers = suppliers.filter(
                Q(legal_name__icontains=query) | Q(short_name__icontains=query) | Q(uscc__iexact=query)
            )
        return suppliers

    def get_context_data(self, **kwargs):
        counts = dict(Supplier.objects.order_by().values_list("status").annotate(n=Count("pk")))
        tabs = [(value, label, counts.get(value, 0)) for value, label in Supplier.Status.choices]
        return super().get_context_data(
            tabs=tabs, status=self.status, query=self.request.GET.get("q", ""), **kwargs
        )


ACTIONS_BY_STATUS = {
    Supplier.Status.APPLIED: ["approve", "reject"],
    Supplier.Status.APPROVED: ["suspend"],
    Supplier.Status.SUSPENDED: ["reinstate"],
    Supplier.Status.REJECTED: [],
}
SERVICES = {
    "approve": services.supplier_approve,
    "reject": services.supplier_reject,
    "suspend": services.supplier_suspend,
    "reinstate": services.supplier_reinstate,
}
DONE_MESSAGES = {
    "approve": gettext_lazy(
        "Approved: the partner and the portal account exist, and the invitation is on its way."
    ),
    "reject": gettext_lazy("Application rejected."),
    "suspend": gettext_lazy("Suspended: its products are off sale from now on."),
    "reinstate": gettext_lazy("Reinstated: its products are back on sale."),
}


class SupplierReviewDetailView(StaffMixin, TemplateView):
    template_name = "suppliers/staff/supplier_detail.html"

    def get_supplier(self):
        return get_object_or_404(
            Supplier.objects.select_related("partner", "status_changed_by"), pk=self.kwargs["pk"]
        )

    def get_context_data(self, form=None, **kwargs):
        supplier = self.get_supplier()
        actions = ACTIONS_BY_STATUS[supplier.status]
        return super().get_context_data(
            supplier=supplier,
            documents=list(supplier.documents.all()),
            history=list(supplier.status_changes.select_related("changed_by")),
            bases=list(supplier.bases.all()),
            certifications=list(supplier.certifications.all()),
            actions=[(action, StatusDecisionForm.ACTIONS[action]) for action in actions],
            form=form or StatusDecisionForm(),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        supplier = self.get_supplier()
        form = StatusDecisionForm(request.POST)
        if form.is_valid():
            action = form.cleaned_data["action"]
            if action not in ACTIONS_BY_STATUS[supplier.status]:
                form.add_error(None, _("This decision does not apply to a supplier in this status."))
            else:
                try:
                    SERVICES[action](supplier=supplier, by=request.user, reason=form.cleaned_data["reason"])
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(request, str(DONE_MESSAGES[action]))
                    return redirect("supplier-review:detail", pk=supplier.pk)
        return self.render_to_response(self.get_context_data(form=form))


class SupplierDocumentView(StaffMixin, View):
    """Application documents are private: staff read them here (never as a page: core.uploads)."""

    def get(self, request, pk, document_pk):
        document = get_object_or_404(
            SupplierDocument.objects.select_related("supplier"), pk=document_pk, supplier_id=pk
        )
        name = f"{document.supplier.short_name}-{document.get_kind_display()}"
        return file_response(document.file, download_name=name)


class CertificationScanView(StaffMixin, View):
    """Any supplier's certificate scan, valid or not, for staff."""

    def get(self, request, pk, certification_pk):
        certification = get_object_or_404(
            Certification.objects.select_related("supplier"), pk=certification_pk, supplier_id=pk
        )
        return file_response(certification.scan, download_name=scan_download_name(certification))
