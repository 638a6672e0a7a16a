"""Public pages: the supplier directory, a supplier's profile, a production base, the application form."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from core.network import client_network
from core.uploads import file_response
from suppliers import selectors, services
from suppliers.forms import DirectoryFilterForm, SupplierApplicationForm
from suppliers.views.utils import add_validation_error


class SupplierDirectoryView(ListView):
    """Approved suppliers, filterable by county, product category and valid certification."""

    template_name = "suppliers/directory.html"
    context_object_name = "suppliers"
    paginate_by = 20

    def get_queryset(self):
        self.categories = selectors.directory_categories()
        self.filter_form = DirectoryFilterForm(self.request.GET or None, categories=self.categories)
        self.filters = self.filter_form.filters()
        return selectors.supplier_directory(**self.filters)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page_suppliers = list(context["suppliers"])
        names = selectors.category_names_by_partner(s.partner_id for s in page_suppliers)
        for supplier in page_suppliers:
            supplier.category_names = names.get(supplier.partner_id, [])
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            suppliers=page_suppliers,
            filter_form=self.filter_form,
            is_filtered=any(self.filters.values()),
            map_bases=[(supplier, base) for supplier in page_suppliers for base in supplier.base_list],
            querystring=query.urlencode(),
        )
        return context


class SupplierDetailView(TemplateView):
    template_name = "suppliers/detail.html"

    def get_context_data(self, **kwargs):
        supplier = selectors.supplier_public_profile(slug=kwargs["slug"])
        if supplier is None:
            raise Http404
        return super().get_context_data(
            supplier=supplier,
            products=list(selectors.supplier_products_on_sale(supplier=supplier)),
            map_bases=[(supplier, base) for base in supplier.base_list],
            **kwargs,
        )


class ProductionBaseDetailView(TemplateView):
    template_name = "suppliers/base_detail.html"

    def get_context_data(self, **kwargs):
        base = selectors.production_base_public(slug=kwargs["slug"], pk=kwargs["pk"])
        if base is None:
            raise Http404
        return super().get_context_data(
            base=base, supplier=base.supplier, map_bases=[(base.supplier, base)], **kwargs
        )


def scan_download_name(certification) -> str:
    """What a downloaded scan is called: supplier, kind and number (``房县菌菇-绿色食品-LB-15-1.pdf``)."""
    return f"{certification.supplier.short_name}-{certification.label}-{certification.number}"


class CertificationScanView(View):
    """The scan of a certificate the public profile shows; any other certificate is 404."""

    def get(self, request, slug, pk):
        certification = selectors.certification_on_public_profile(slug=slug, pk=pk)
        if certification is None:
            raise Http404
        return file_response(certification.scan, download_name=scan_download_name(certification), public=True)


class SupplierApplyView(FormView):
    """The public application: organisation data, USCC and documents, saved whole or not at all."""

    template_name = "suppliers/apply.html"
    form_class = SupplierApplicationForm

    def post(self, request, *args, **kwargs):
        # An address over today's allowance is told so before its files are even read.
        received = sum(upload.size for upload in request.FILES.values())
        left = selectors.application_allowance_left(network=client_network(request), upload_bytes=received)
        if not all(left.values()):
            form = self.form_class(data=request.POST)  # what was typed stays; the files are not read
            form.errors.clear()
            form.add_error(None, services.application_limit_message(uploads=left["applications"]))
            return self.render_to_response(self.get_context_data(form=form, over_allowance=True), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        documents = form.documents()
        try:
            with transaction.atomic():
                services.application_allowance_take(
                    network=client_network(self.request),
                    upload_bytes=sum(upload.size for _kind, upload in documents if upload),
                )
                supplier = services.supplier_apply(documents=documents, **form.supplier_data())
        except ValidationError as error:
            add_validation_error(form, error)
            over = error.code == "application_limit"
            context = self.get_context_data(form=form, over_allowance=over)
            return self.render_to_response(context, status=429 if over else 200)
        self.request.session["supplier_application"] = supplier.pk
        return redirect(reverse("suppliers:apply-done"))


class SupplierApplyDoneView(TemplateView):
    template_name = "suppliers/apply_done.html"
