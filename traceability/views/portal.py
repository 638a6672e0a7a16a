"""The cooperative portal's batch pages, mounted under /shop/portal/ (see shop/urls.py).

Built on the suppliers portal's ``PortalMixin``: the signed-in user's supplier is resolved first and
every batch, base or token is read through a queryset scoped to it, so another supplier's id is a
404 and nothing is read or written. Views validate input and call ``traceability.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View

from core.uploads import file_response
from suppliers.views.portal import PortalFormMixin, PortalMixin
from suppliers.views.utils import add_validation_error
from traceability import import_jobs, imports, qr, rules, selectors, services
from traceability.forms import (
    ApiTokenForm,
    BatchForm,
    CertificateForm,
    EventForm,
    FarmInputForm,
    InputFormSet,
    InspectionForm,
    ItemFormSet,
    PublishForm,
    ReasonForm,
    SheetChoiceForm,
    SheetUploadForm,
    input_specs,
)
from traceability.models import ApiToken, Batch, BatchImport, ComplianceCertificate

BATCHES_PER_PAGE = 25


class BatchMixin(PortalMixin):
    """Loads the batch named in the URL through the supplier's own batches (404 otherwise)."""

    section = "batches"

    def load_objects(self):
        self.batch = selectors.portal_batch(supplier=self.supplier, pk=self.kwargs["pk"])
        if self.batch is None:
            raise Http404

    def get_context_data(self, **kwargs):
        return super().get_context_data(batch=self.batch, **kwargs)


def _service_errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- Batches -----------------------------------------------------------------------------------------
class BatchListView(PortalMixin, TemplateView):
    section = "batches"
    template_name = "traceability/portal/batch_list.html"

    def get_context_data(self, **kwargs):
        status = self.request.GET.get("status", "")
        if status not in Batch.Status.values:
            status = ""
        query = self.request.GET.get("q", "").strip()[:40]
        batches = selectors.portal_batches(supplier=self.supplier, status=status, query=query)
        page = Paginator(batches, BATCHES_PER_PAGE).get_page(self.request.GET.get("page"))
        params = self.request.GET.copy()
        params.pop("page", None)
        return super().get_context_data(
            page_obj=page,
            batches=page.object_list,
            status=status,
            query=query,
            statuses=Batch.Status.choices,
            querystring=params.urlencode(),
            **kwargs,
        )


class BatchCreateView(PortalMixin, TemplateView):
    section = "batches"
    template_name = "traceability/portal/batch_form.html"

    def forms(self):
        data = self.request.POST if self.request.method == "POST" else None
        return (
            BatchForm(data, supplier=self.supplier),
            InputFormSet(data, prefix="inputs", form_kwargs={"supplier": self.supplier}),
        )

    def get(self, request, *args, **kwargs):
        form, inputs = self.forms()
        return self.render_to_response(self.get_context_data(form=form, inputs=inputs))

    def post(self, request, *args, **kwargs):
        form, inputs = self.forms()
        if form.is_valid() and inputs.is_valid():
            try:
                batch = services.batch_create(
                    **form.batch_data(), inputs=input_specs(inputs), created_by=request.user
                )
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                messages.success(request, _("Batch %(lot)s recorded as a draft.") % {"lot": batch.lot_code})
                return redirect("trace_portal:batch", pk=batch.pk)
        return self.render_to_response(self.get_context_data(form=form, inputs=inputs), status=200)


class BatchUpdateView(BatchMixin, PortalFormMixin, FormView):
    template_name = "traceability/portal/batch_form.html"
    form_class = BatchForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "supplier": self.supplier, "batch": self.batch}

    def save(self, form):
        services.batch_update(batch=self.batch, **form.batch_data())
        messages.success(self.request, _("Batch %(lot)s saved.") % {"lot": form.cleaned_data["lot_code"]})

    def get_success_url(self):
        return reverse("trace_portal:batch", kwargs={"pk": self.batch.pk})


class BatchDeleteView(BatchMixin, TemplateView):
    template_name = "suppliers/portal/confirm_delete.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            object=self.batch,
            cancel_url=reverse("trace_portal:batch", kwargs={"pk": self.batch.pk}),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        try:
            services.batch_delete(batch=self.batch)
        except ValidationError as error:
            _service_errors(request, error)
            return redirect("trace_portal:batch", pk=self.batch.pk)
        messages.success(request, _("Batch %(lot)s deleted.") % {"lot": self.batch.lot_code})
        return redirect("trace_portal:batches")


class BatchDetailView(BatchMixin, TemplateView):
    template_name = "traceability/portal/batch_detail.html"

    def get_context_data(self, **kwargs):
        batch = self.batch
        events = selectors.batch_events(batch)
        from traceability.anchors import batch_chain_check

        return super().get_context_data(
            events=events,
            chain=batch_chain_check(batch, events=events),
            inspections=list(batch.inspections.prefetch_related("items").order_by("-sampling_date", "-pk")),
            certificate=ComplianceCertificate.objects.filter(batch=batch)
            .select_related("inspection")
            .first(),
            needs_certificate=rules.product_needs_certificate(batch.product),
            inputs=list(batch.inputs.select_related("input__product")),
            outputs=list(batch.outputs.select_related("output__product")),
            problems=services.publish_problems(batch) if batch.status == Batch.Status.DRAFT else [],
            has_stockrecord=services.batch_stockrecords(batch).exists(),
            publish_form=PublishForm(),
            hold_form=ReasonForm(),
            trace_url=qr.trace_url(batch) if batch.trace_code else "",
            **kwargs,
        )


class BatchPublishView(BatchMixin, TemplateView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = PublishForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
            return redirect("trace_portal:batch", pk=self.batch.pk)
        try:
            batch = services.batch_publish(
                batch=self.batch, by=request.user, price=form.cleaned_data.get("price")
            )
        except ValidationError as error:
            _service_errors(request, error)
        else:
            messages.success(
                request,
                _("Batch %(lot)s is on sale: %(quantity)s added to your stock. Print its labels now.")
                % {"lot": batch.lot_code, "quantity": batch.quantity},
            )
        return redirect("trace_portal:batch", pk=self.batch.pk)


class BatchHoldView(BatchMixin, TemplateView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Say why the batch goes on hold."))
            return redirect("trace_portal:batch", pk=self.batch.pk)
        try:
            services.batch_hold(batch=self.batch, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            _service_errors(request, error)
        else:
            messages.success(
                request, _("Batch %(lot)s is on hold and off sale.") % {"lot": self.batch.lot_code}
            )
        return redirect("trace_portal:batch", pk=self.batch.pk)


class BatchReleaseView(BatchMixin, TemplateView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            services.batch_release(batch=self.batch, reason=request.POST.get("reason", ""), by=request.user)
        except ValidationError as error:
            _service_errors(request, error)
        else:
            messages.success(request, _("Batch %(lot)s is back on sale.") % {"lot": self.batch.lot_code})
        return redirect("trace_portal:batch", pk=self.batch.pk)


# --- Events, inspections, certificates ---------------------------------------------------------------
class EventCreateView(BatchMixin, PortalFormMixin, FormView):
    template_name = "traceability/portal/event_form.html"
    form_class = EventForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "supplier": self.supplier, "batch": self.batch}

    def save(self, form):
        services.trace_event_record(batch=self.batch, recorded_by=self.request.user, **form.event_data())
        messages.success(self.request, _("Record added to the batch's history."))

    def get_success_url(self):
        return reverse("trace_portal:batch", kwargs={"pk": self.batch.pk}) + "#events"


class InspectionCreateView(BatchMixin, TemplateView):
    template_name = "traceability/portal/inspection_form.html"

    def forms(self):
        if self.request.method == "POST":
            return InspectionForm(self.request.POST, self.request.FILES, batch=self.batch), ItemFormSet(
                self.request.POST, prefix="items"
            )
        return InspectionForm(batch=self.batch), ItemFormSet(prefix="items")

    def get(self, request, *args, **kwargs):
        form, items = self.forms()
        return self.render_to_response(self.get_context_data(form=form, items=items))

    def post(self, request, *args, **kwargs):
        form, items = self.forms()
        if form.is_valid() and items.is_valid():
            specs = [spec for spec in (f.spec() for f in items.forms) if spec is not None]
            try:
                inspection = services.inspection_record(
                    batch=self.batch, items=specs, created_by=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                if inspection.passed:
                    messages.success(
                        request,
                        _("Inspection %(number)s recorded: passed.") % {"number": inspection.report_number},
                    )
                else:
                    messages.warning(
                        request,
                        _("Inspection %(number)s recorded: FAILED. The batch is kept off sale.")
                        % {"number": inspection.report_number},
                    )
                return redirect(reverse("trace_portal:batch", kwargs={"pk": self.batch.pk}) + "#inspections")
        return self.render_to_response(self.get_context_data(form=form, items=items))


class InspectionReportView(BatchMixin, View):
    """The report file of one of the supplier's own inspections (private storage, core.uploads)."""

    def get(self, request, *args, **kwargs):
        inspection = get_object_or_404(
            self.batch.inspections.exclude(report_file=""), pk=kwargs["inspection_pk"]
        )
        return file_response(
            inspection.report_file, download_name=f"{inspection.laboratory}-{inspection.report_number}"
        )


class CertificateView(BatchMixin, PortalFormMixin, FormView):
    template_name = "traceability/portal/certificate_form.html"
    form_class = CertificateForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "batch": self.batch, "supplier": self.supplier}

    def get_context_data(self, **kwargs):
        return super().get_context_data(promise=rules.CERTIFICATE_PROMISE, **kwargs)

    def save(self, form):
        services.certificate_issue(batch=self.batch, created_by=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("Compliance certificate issued."))

    def get_success_url(self):
        return reverse("trace_portal:batch", kwargs={"pk": self.batch.pk}) + "#certificate"


# --- Labels ---------------------------------------------------------------------------------------
class LabelSheetView(BatchMixin, TemplateView):
    """A printable A4 sheet of 10 labels (99 × 57 mm, two columns): QR, product, lot, dates, certificate."""

    template_name = "traceability/portal/labels.html"
    PER_SHEET = 10

    def get_context_data(self, **kwargs):
        if not self.batch.trace_code:
            raise Http404
        try:
            count = max(1, min(int(self.request.GET.get("count", self.PER_SHEET)), 200))
        except ValueError:
            count = self.PER_SHEET
        certificate = ComplianceCertificate.objects.filter(batch=self.batch).first()
        trace_url = qr.trace_url(self.batch)
        return super().get_context_data(
            sheets=[range(min(self.PER_SHEET, count - start)) for start in range(0, count, self.PER_SHEET)],
            count=count,
            certificate=certificate,
            needs_certificate=rules.product_needs_certificate(self.batch.product),
            trace_url=trace_url,
            qr_svg=qr.qr_svg_inline(trace_url, scale=4, border=1),
            **kwargs,
        )


# --- Sheet upload ---------------------------------------------------------------------------------
class SheetUploadView(PortalMixin, FormView):
    """Stores the upload and hands it to a worker; the job's page follows it (see import_jobs)."""

    section = "batches"
    template_name = "traceability/portal/upload.html"
    form_class = SheetUploadForm

    def get_context_data(self, **kwargs):
        recent = BatchImport.objects.filter(supplier=self.supplier).order_by("-created_at", "-pk")[:5]
        return super().get_context_data(recent_imports=recent, **kwargs)

    def form_valid(self, form):
        job = import_jobs.batch_import_start(
            supplier=self.supplier,
            upload=form.cleaned_data["sheet"],
            created_by=self.request.user,
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        return redirect("trace_portal:import", pk=job.pk)


class BatchImportMixin(PortalMixin):
    """Loads the import named in the URL through the supplier's own imports (404 otherwise)."""

    section = "batches"

    def load_objects(self):
        self.job = get_object_or_404(BatchImport, pk=self.kwargs["pk"], supplier=self.supplier)


class BatchImportView(BatchImportMixin, TemplateView):
    """An import's progress while a worker reads it (the page refreshes itself), then its outcome."""

    template_name = "traceability/portal/import.html"

    def get_context_data(self, **kwargs):
        job = self.job
        can_choose = bool(job.sheet_choices and job.file)
        return super().get_context_data(
            job=job,
            choice_form=SheetChoiceForm(choices=job.sheet_choices) if can_choose else None,
            upload_form=SheetUploadForm() if job.status in (job.Status.REFUSED, job.Status.FAILED) else None,
            shown_errors=job.errors[:500],
            **kwargs,
        )


class BatchImportStatusView(BatchImportMixin, View):
    """The progress as JSON, for the page's script (the page also refreshes itself without one)."""

    def get(self, request, *args, **kwargs):
        job = self.job
        return JsonResponse(
            {
                "status": job.status,
                "status_display": job.get_status_display(),
                "stage": job.stage,
                "stage_display": job.get_stage_display() if job.stage else "",
                "rows_checked": job.rows_checked,
                "rows_total": job.rows_total,
                "percent": job.percent,
                "finished": job.finished,
            },
            headers={"Cache-Control": "no-store"},
        )


class BatchImportSheetView(BatchImportMixin, View):
    """The user picked one sheet of a workbook with several: the same upload is read again."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = SheetChoiceForm(request.POST, choices=self.job.sheet_choices)
        if not form.is_valid():
            messages.error(request, _("Choose one of the sheets listed."))
            return redirect("trace_portal:import", pk=self.job.pk)
        try:
            import_jobs.batch_import_choose_sheet(job=self.job, sheet=form.cleaned_data["sheet"])
        except ValidationError as error:
            _service_errors(request, error)
        return redirect("trace_portal:import", pk=self.job.pk)


class SheetTemplateView(PortalMixin, TemplateView):
    def get(self, request, *args, **kwargs):
        kind = kwargs["kind"]
        if kind == "xlsx":
            body = imports.template_xlsx(self.supplier)
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            body = imports.template_csv(self.supplier)
            content_type = "text/csv; charset=utf-8"
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="batches-template.{kind}"'
        return response


# --- Farm inputs -----------------------------------------------------------------------------------
class FarmInputListView(PortalMixin, TemplateView):
    section = "farm_inputs"
    template_name = "traceability/portal/farm_inputs.html"

    def get_context_data(self, **kwargs):
        page = Paginator(selectors.portal_farm_inputs(supplier=self.supplier), 30).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(page_obj=page, farm_inputs=page.object_list, **kwargs)


class FarmInputCreateView(PortalFormMixin, FormView):
    section = "farm_inputs"
    template_name = "traceability/portal/farm_input_form.html"
    form_class = FarmInputForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "supplier": self.supplier}

    def save(self, form):
        services.farm_input_record(recorded_by=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("Farm input recorded."))

    def get_success_url(self):
        return reverse("trace_portal:farm-inputs")


# --- API tokens ---------------------------------------------------------------------------------------
class ApiTokenListView(PortalFormMixin, FormView):
    section = "batches"
    template_name = "traceability/portal/api_tokens.html"
    form_class = ApiTokenForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            tokens=list(selectors.portal_api_tokens(supplier=self.supplier)),
            api_docs_url="/api/v1/docs",
            openapi_url="/api/v1/openapi.json",
            **kwargs,
        )

    def form_valid(self, form):
        try:
            token, key = services.api_token_create(
                supplier=self.supplier, name=form.cleaned_data["name"], created_by=self.request.user
            )
        except ValidationError as error:
            add_validation_error(form, error)
            return self.form_invalid(form)
        return render(
            self.request,
            self.template_name,
            self.get_context_data(form=ApiTokenForm(), new_token=token, new_key=key),
        )


class ApiTokenRevokeView(PortalMixin, TemplateView):
    section = "batches"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        token = get_object_or_404(ApiToken, pk=kwargs["pk"], supplier=self.supplier)
        services.api_token_revoke(token=token)
        messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
        return redirect("trace_portal:api-tokens")
