"""The cooperative portal: a supplier's own profile, bases, certifications, stock, orders and sales.

Every view resolves the signed-in user's supplier first (``PortalMixin``) and reads every object
through a queryset filtered by that supplier, so another supplier's id is simply not found: 404, and
nothing is read or written.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from core.uploads import file_response
from shop.partner.stock_owners import products_with_owned_stock
from suppliers import selectors, services
from suppliers.forms import (
    BasePhotoForm,
    CertificationForm,
    ProductionBaseForm,
    StockForm,
    SupplierProfileForm,
)
from suppliers.models import BasePhoto, Certification, ProductionBase
from suppliers.views.public import scan_download_name
from suppliers.views.utils import add_validation_error


class PortalMixin:
    section = "home"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.supplier = selectors.portal_supplier_for_user(request.user)
        if self.supplier is None:
            return render(request, "suppliers/portal/no_access.html", status=403)
        self.load_objects()
        return super().dispatch(request, *args, **kwargs)

    def load_objects(self) -> None:
        """Fetch the objects named in the URL, through the supplier's own querysets (404 otherwise)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(supplier=self.supplier, section=self.section)
        return context


class PortalFormMixin(PortalMixin):
    """A form whose valid data goes to a service; the service's ValidationError lands on the form."""

    success_message = ""

    def save(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.save(form)
        except ValidationError as error:
            add_validation_error(form, error)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message)
        return redirect(self.get_success_url())


class PortalHomeView(PortalMixin, TemplateView):
    template_name = "suppliers/portal/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        certifications = list(self.supplier.certifications.all())
        context.update(
            base_count=self.supplier.bases.count(),
            certifications_expiring=[c for c in certifications if c.is_valid and c.days_left <= 30],
            certifications_expired=[c for c in certifications if c.days_left < 0],
            low_stock=[
                record
                for record in selectors.portal_stockrecords(supplier=self.supplier)
                if record.low_stock_threshold is not None
                and record.net_stock_level < record.low_stock_threshold
            ],
            recent_orders=list(selectors.portal_orders(supplier=self.supplier)[:5]),
        )
        return context


class ProfileEditView(PortalFormMixin, FormView):
    section = "profile"
    template_name = "suppliers/portal/profile_form.html"
    form_class = SupplierProfileForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.supplier}

    def get_success_url(self):
        return reverse("portal:profile")

    def save(self, form):
        fields = dict(form.cleaned_data)
        if fields.get("logo") is None:
            fields.pop("logo", None)
        elif fields["logo"] is False:
            fields["logo"] = ""
        services.supplier_profile_update(supplier=self.supplier, **fields)
        messages.success(self.request, _("Profile saved."))


# --- Production bases -----------------------------------------------------------------------------
class BaseListView(PortalMixin, TemplateView):
    section = "bases"
    template_name = "suppliers/portal/base_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        bases = list(self.supplier.bases.prefetch_related("photos").order_by("name"))
        context.update(bases=bases, map_bases=[(self.supplier, base) for base in bases])
        return context


class OwnBaseMixin:
    def get_base(self) -> ProductionBase:
        return get_object_or_404(ProductionBase, pk=self.kwargs["pk"], supplier=self.supplier)


class BaseCreateView(PortalFormMixin, FormView):
    section = "bases"
    template_name = "suppliers/portal/base_form.html"
    form_class = ProductionBaseForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["supplier"] = self.supplier
        kwargs.setdefault("initial", {})["county"] = self.supplier.county
        return kwargs

    def save(self, form):
        self.base = services.production_base_create(supplier=self.supplier, **form.production_base_data())
        messages.success(self.request, _("Base “%(name)s” added.") % {"name": self.base.name})

    def get_success_url(self):
        return reverse("portal:base-photos", kwargs={"pk": self.base.pk})


class BaseUpdateView(OwnBaseMixin, PortalFormMixin, FormView):
    section = "bases"
    template_name = "suppliers/portal/base_form.html"
    form_class = ProductionBaseForm

    def load_objects(self):
        self.base = self.get_base()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "supplier": self.supplier, "instance": self.base}

    def get_context_data(self, **kwargs):
        return super().get_context_data(base=self.base, **kwargs)

    def save(self, form):
        services.production_base_update(base=self.base, **form.production_base_data())
        messages.success(self.request, _("Base “%(name)s” saved.") % {"name": self.base.name})

    def get_success_url(self):
        return reverse("portal:bases")


class BaseDeleteView(OwnBaseMixin, PortalMixin, TemplateView):
    section = "bases"
    template_name = "suppliers/portal/confirm_delete.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(object=self.get_base(), cancel_url=reverse("portal:bases"), **kwargs)

    def post(self, request, *args, **kwargs):
        base = self.get_base()
        services.production_base_delete(base=base)
        messages.success(request, _("Base “%(name)s” deleted.") % {"name": base.name})
        return redirect("portal:bases")


class BasePhotosView(OwnBaseMixin, PortalFormMixin, FormView):
    section = "bases"
    template_name = "suppliers/portal/base_photos.html"
    form_class = BasePhotoForm

    def load_objects(self):
        self.base = self.get_base()

    def get_context_data(self, **kwargs):
        return super().get_context_data(base=self.base, photos=list(self.base.photos.all()), **kwargs)

    def save(self, form):
        services.base_photo_add(base=self.base, **form.cleaned_data)
        messages.success(self.request, _("Photo added."))

    def get_success_url(self):
        return reverse("portal:base-photos", kwargs={"pk": self.kwargs["pk"]})


class BasePhotoDeleteView(PortalMixin, TemplateView):
    section = "bases"
    template_name = "suppliers/portal/confirm_delete.html"

    def get_photo(self) -> BasePhoto:
        return get_object_or_404(
            BasePhoto.objects.select_related("base"),
            pk=self.kwargs["photo_pk"],
            base_id=self.kwargs["pk"],
            base__supplier=self.supplier,
        )

    def get_context_data(self, **kwargs):
        photo = self.get_photo()
        cancel = reverse("portal:base-photos", kwargs={"pk": photo.base_id})
        return super().get_context_data(object=photo, cancel_url=cancel, **kwargs)

    def post(self, request, *args, **kwargs):
        photo = self.get_photo()
        services.base_photo_delete(photo=photo)
        messages.success(request, _("Photo deleted."))
        return redirect("portal:base-photos", pk=photo.base_id)


# --- Certifications ---------------------------------------------------------------------------------
class CertificationListView(PortalMixin, TemplateView):
    section = "certifications"
    template_name = "suppliers/portal/certification_list.html"

    def get_context_data(self, **kwargs):
        certifications = self.supplier.certifications.order_by("valid_until", "pk")
        return super().get_context_data(certifications=list(certifications), **kwargs)


class OwnCertificationMixin:
    def get_certification(self) -> Certification:
        return get_object_or_404(Certification, pk=self.kwargs["pk"], supplier=self.supplier)


class CertificationScanView(OwnCertificationMixin, PortalMixin, View):
    """The supplier's own certificate scan (any, valid or not)."""

    def get(self, request, *args, **kwargs):
        certification = self.get_certification()
        return file_response(certification.scan, download_name=scan_download_name(certification))


class CertificationCreateView(PortalFormMixin, FormView):
    section = "certifications"
    template_name = "suppliers/portal/certification_form.html"
    form_class = CertificationForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "supplier": self.supplier}

    def save(self, form):
        services.certification_create(supplier=self.supplier, **form.certification_data())
        messages.success(self.request, _("Certificate added."))

    def get_success_url(self):
        return reverse("portal:certifications")


class CertificationUpdateView(OwnCertificationMixin, PortalFormMixin, FormView):
    section = "certifications"
    template_name = "suppliers/portal/certification_form.html"
    form_class = CertificationForm

    def load_objects(self):
        self.certification = self.get_certification()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "supplier": self.supplier, "instance": self.certification}

    def get_context_data(self, **kwargs):
        return super().get_context_data(certification=self.certification, **kwargs)

    def save(self, form):
        services.certification_update(certification=self.certification, **form.certification_data())
        messages.success(self.request, _("Certificate saved."))

    def get_success_url(self):
        return reverse("portal:certifications")


class CertificationDeleteView(OwnCertificationMixin, PortalMixin, TemplateView):
    section = "certifications"
    template_name = "suppliers/portal/confirm_delete.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            object=self.get_certification(), cancel_url=reverse("portal:certifications"), **kwargs
        )

    def post(self, request, *args, **kwargs):
        services.certification_delete(certification=self.get_certification())
        messages.success(request, _("Certificate deleted."))
        return redirect("portal:certifications")


# --- Stock, orders, sales -----------------------------------------------------------------------------
class StockListView(PortalMixin, TemplateView):
    section = "stock"
    template_name = "suppliers/portal/stock_list.html"

    def get_context_data(self, **kwargs):
        stockrecords = list(selectors.portal_stockrecords(supplier=self.supplier))
        return super().get_context_data(
            stockrecords=stockrecords,
            batch_managed=products_with_owned_stock(r.product_id for r in stockrecords),
            **kwargs,
        )


class StockUpdateView(PortalFormMixin, FormView):
    section = "stock"
    template_name = "suppliers/portal/stock_form.html"
    form_class = StockForm

    def get_stockrecord(self):
        record = selectors.portal_stockrecords(supplier=self.supplier).filter(pk=self.kwargs["pk"]).first()
        if record is None:
            raise Http404
        return record

    def load_objects(self):
        self.stockrecord = self.get_stockrecord()

    def get_initial(self):
        return {
            "num_in_stock": self.stockrecord.num_in_stock,
            "low_stock_threshold": self.stockrecord.low_stock_threshold,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            stockrecord=self.stockrecord,
            batch_managed=bool(products_with_owned_stock([self.stockrecord.product_id])),
            **kwargs,
        )

    def save(self, form):
        record = services.stockrecord_stock_set(
            supplier=self.supplier, stockrecord_id=self.stockrecord.pk, **form.cleaned_data
        )
        messages.success(
            self.request,
            _("Stock of “%(product)s” set to %(units)s.")
            % {"product": record.product.get_title(), "units": record.num_in_stock},
        )

    def get_success_url(self):
        return reverse("portal:stock")


class OrderListView(PortalMixin, TemplateView):
    section = "orders"
    template_name = "suppliers/portal/order_list.html"

    def get_context_data(self, **kwargs):
        page = Paginator(selectors.portal_orders(supplier=self.supplier), 20).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(page_obj=page, orders=page.object_list, **kwargs)


class OrderDetailView(PortalMixin, TemplateView):
    section = "orders"
    template_name = "suppliers/portal/order_detail.html"

    def get_context_data(self, **kwargs):
        from oscar.core.loading import get_model

        from shop.order.services import SHIPPABLE

        order = get_object_or_404(
            selectors.portal_orders(supplier=self.supplier), number=self.kwargs["number"]
        )
        Shipment = get_model("order", "Shipment")
        return super().get_context_data(
            order=order,
            shipments=Shipment.objects.filter(order=order, supplier=self.supplier),
            may_ship=order.status in SHIPPABLE,
            carriers=Shipment.Carrier.choices,
            **kwargs,
        )


class OrderShipView(PortalMixin, View):
    """POST: the cooperative records the parcel it sent for this order (carrier, tracking number);
    the buyer sees it on the order's timeline. Only orders holding this supplier's lines (404)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        from shop.order.services import ShipmentRefused, shipment_record

        order = get_object_or_404(
            selectors.portal_orders(supplier=self.supplier), number=self.kwargs["number"]
        )
        try:
            shipment_record(
                order=order,
                carrier=request.POST.get("carrier", ""),
                tracking_number=request.POST.get("tracking_number", "")[:40],
                user=request.user,
                supplier=self.supplier,
            )
        except ShipmentRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("Shipment recorded; the buyer can follow it now."))
        return redirect("portal:order", number=order.number)


class SalesView(PortalMixin, TemplateView):
    section = "sales"
    template_name = "suppliers/portal/sales.html"

    def get_context_data(self, **kwargs):
        by_month = selectors.portal_sales_by_month(supplier=self.supplier)
        by_product = selectors.portal_sales_by_product(supplier=self.supplier)
        top = max((row.revenue for row in by_month), default=0) or 1
        return super().get_context_data(
            by_month=[(row, int(row.revenue * 100 / top)) for row in by_month],
            by_product=by_product,
            total_revenue=sum(row.revenue for row in by_month),
            total_quantity=sum(row.quantity for row in by_month),
            **kwargs,
        )
