"""Public pages: the supplier directory, a supplier's profile, a production base, the application form."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, ListView, TemplateView

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


class SupplierApplyView(FormView):
    """The public application: organisation data, USCC and documents, saved whole or not at all."""

    template_name = "suppliers/apply.html"
    form_class = SupplierApplicationForm

    def form_valid(self, form):
        try:
            with transaction.atomic():
                supplier = services.supplier_apply(documents=form.documents(), **form.supplier_data())
        except ValidationError as error:
            add_validation_error(form, error)
            return self.form_invalid(form)
        self.request.session["supplier_application"] = supplier.pk
        return redirect(reverse("suppliers:apply-done"))


class SupplierApplyDoneView(TemplateView):
    template_name = "suppliers/apply_done.html"
