"""The impact pages: staff dashboard, a channel manager's channels, a cooperative's own sales."""

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from channels.permissions import desk_channels
from core.places import County
from core.sales_channels import channel_label
from suppliers.views.portal import PortalMixin

from .exports import workbook_bytes
from .figures import Scope, default_filters, figures_compute
from .forms import FilterForm, YearTargetForm
from .models import YearReport, YearTarget
from .reports import report_request
from .selectors import page_data


class ImpactPageMixin:
    """Filters from the query string, figures for the view's scope, the page or its XLSX."""

    with_category = True
    export_name = "impact"

    def scope(self) -> Scope:
        return Scope()

    def allowed_channels(self):
        return None

    def get(self, request, *args, **kwargs):
        form = FilterForm(
            request.GET or None, channels=self.allowed_channels(), with_category=self.with_category
        )
        if request.GET and not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form, invalid=True), status=400)
        filters = form.filters() if request.GET else default_filters()
        categories = {}
        if self.with_category:
            categories = {int(pk): name for pk, name in form.fields["category"].choices if pk}
        figures = figures_compute(filters, self.scope())
        data = page_data(figures, categories=categories)
        if request.GET.get("export") == "xlsx":
            return self.xlsx(form, filters, data, categories)
        return self.render_to_response(self.get_context_data(form=form, filters=filters, **data))

    def filter_rows(self, filters, categories):
        rows = [(_("From"), filters.start.isoformat()), (_("To"), filters.end.isoformat())]
        rows.append((_("County"), County(filters.county).label if filters.county else _("All counties")))
        rows.append((_("Channel"), channel_label(filters.channel) if filters.channel else _("All channels")))
        if self.with_category:
            rows.append((_("Category"), categories.get(filters.category_id, _("All categories"))))
        return rows + self.scope_rows()

    def scope_rows(self):
        return []

    def xlsx(self, form, filters, data, categories):
        content = workbook_bytes(
            title=str(self.page_title()), filter_rows=self.filter_rows(filters, categories), data=data
        )
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        name = f"{self.export_name}-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def page_title(self):
        return _("Impact")


@method_decorator(staff_member_required(login_url="customer:login"), name="dispatch")
class StaffImpactView(ImpactPageMixin, TemplateView):
    template_name = "impact/dashboard.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(page_title=self.page_title(), staff=True, **kwargs)


class ManagerImpactView(ImpactPageMixin, TemplateView):
    """A channel manager's figures for one of their channels; any other channel is refused."""

    template_name = "impact/channel.html"
    export_name = "impact-channel"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.channel = kwargs["channel"]
        if self.channel not in desk_channels(request.user):
            raise PermissionDenied(_("This belongs to a channel you do not manage."))
        return super().dispatch(request, *args, **kwargs)

    def scope(self):
        return Scope(channels=(self.channel,))

    def allowed_channels(self):
        return [self.channel]

    def scope_rows(self):
        return [(_("Scope"), channel_label(self.channel))]

    def page_title(self):
        return _("Impact: %(channel)s") % {"channel": channel_label(self.channel)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(page_title=self.page_title(), **kwargs)


class PortalImpactView(PortalMixin, ImpactPageMixin, TemplateView):
    """A cooperative's own figures: only its supplier's roll-up rows, never anyone else's."""

    template_name = "impact/portal.html"
    section = "impact"
    with_category = False
    export_name = "impact-own"

    def scope(self):
        return Scope(supplier_id=self.supplier.pk)

    def scope_rows(self):
        return [(_("Supplier"), self.supplier.legal_name)]

    def page_title(self):
        return _("Impact: %(supplier)s") % {"supplier": self.supplier.short_name}


@method_decorator(staff_member_required(login_url="customer:login"), name="dispatch")
class TargetsView(FormView):
    template_name = "impact/targets.html"
    form_class = YearTargetForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        year = self.request.POST.get("year")
        if year and year.isdigit():
            kwargs["instance"] = YearTarget.objects.filter(year=int(year)).first()
        return kwargs

    def form_valid(self, form):
        target = form.save()
        messages.success(self.request, _("Targets for %(year)d saved.") % {"year": target.year})
        return redirect("impact:targets")

    def get_context_data(self, **kwargs):
        return super().get_context_data(targets=YearTarget.objects.all(), **kwargs)


@method_decorator(staff_member_required(login_url="customer:login"), name="dispatch")
class ReportsView(TemplateView):
    """Yearly PDF reports: ask for one (built in Celery), see the earlier ones."""

    template_name = "impact/reports.html"

    def post(self, request, *args, **kwargs):
        year = request.POST.get("year", "")
        this_year = timezone.localdate().year
        if not year.isdigit() or not 2016 <= int(year) <= this_year:
            messages.error(request, _("Choose a year from 2016 to %(year)d.") % {"year": this_year})
            return redirect("impact:reports")
        report = report_request(year=int(year), user=request.user)
        return redirect("impact:report", pk=report.pk)

    def get_context_data(self, **kwargs):
        this_year = timezone.localdate().year
        return super().get_context_data(
            reports=YearReport.objects.defer("pdf")[:20], years=range(this_year, 2015, -1), **kwargs
        )


@method_decorator(staff_member_required(login_url="customer:login"), name="dispatch")
class ReportView(TemplateView):
    template_name = "impact/report.html"

    def get(self, request, *args, **kwargs):
        report = get_object_or_404(YearReport.objects.defer("pdf"), pk=kwargs["pk"])
        if request.GET.get("format") == "json":
            return JsonResponse({"state": report.state, "progress": report.progress})
        return self.render_to_response(self.get_context_data(report=report))


@method_decorator(staff_member_required(login_url="customer:login"), name="dispatch")
class ReportPdfView(View):
    def get(self, request, pk):
        report = get_object_or_404(YearReport, pk=pk, state=YearReport.State.DONE)
        response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="impact-{report.year}.pdf"'
        return response
