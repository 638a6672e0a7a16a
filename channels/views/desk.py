"""The channel managers' desk at /shop/channels/: its own pages, not the Django admin.

``DeskMixin`` lets in a manager (the "Channel managers" group's permission and at least one
assigned channel) or a superuser, and keeps the manager's channels on the view; every queryset is
filtered by them (``channels.selectors``) and every object named in a URL is checked against them
(403 for another channel's). Anonymous visitors are sent to sign in.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from channels import price_sheets, selectors
from channels.forms import PriceSheetForm, StatusDecisionForm
from channels.models import Organisation, PriceList
from channels.permissions import desk_channels
from channels.services import organisations, prices
from channels.services.standing import standing_outlook
from core.sales_channels import SalesChannel


def _forbidden(request, message=""):
    return render(
        request,
        "channels/desk/no_access.html",
        {"message": message, "membership": selectors.membership_for(request.user)},
        status=403,
    )


class DeskMixin:
    section = "home"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.channels = desk_channels(request.user)
        if not self.channels:
            return _forbidden(request)
        response = self.load_objects()
        if response is not None:
            return response
        return super().dispatch(request, *args, **kwargs)

    def load_objects(self):
        """Fetch what the URL names; return a response (403) for another channel's object."""

    def check_channel(self, channel):
        if channel not in self.channels:
            return _forbidden(request=self.request, message=_("This belongs to a channel you do not manage."))
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            section=self.section,
            desk_channels=[SalesChannel(channel) for channel in self.channels],
        )
        return context


class DeskHomeView(DeskMixin, TemplateView):
    template_name = "channels/desk/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = selectors.status_counts(self.channels)
        context.update(
            awaiting=list(selectors.organisations_awaiting(self.channels)[:10]),
            awaiting_count=counts.get(Organisation.Status.APPLIED, 0),
            approved_count=counts.get(Organisation.Status.APPROVED, 0),
            suspended_count=counts.get(Organisation.Status.SUSPENDED, 0),
            sales=selectors.channel_sales_this_month(self.channels),
            month=timezone.localdate(),
        )
        # Quotes and orders to confirm (issue 13, parts 3, 4 and 8).
        from channels import selectors_orders

        open_quotes = list(selectors_orders.open_quotes(self.channels)[:10])
        to_confirm = selectors_orders.orders_to_confirm(self.channels)
        context.update(
            open_quotes=open_quotes,
            open_quotes_count=selectors_orders.open_quotes(self.channels).count(),
            orders_to_confirm=list(to_confirm[:10]),
            orders_to_confirm_count=to_confirm.count(),
        )
        # Overdue accounts (issue 13, part 5).
        from channels.views.accounts import overdue_accounts

        context["overdue_accounts"] = overdue_accounts(self.channels)[:10]
        context["outlook"] = standing_outlook(channels=self.channels)  # issue 13, part 8: the coming week
        return context


class OrganisationListView(DeskMixin, TemplateView):
    section = "organisations"
    template_name = "channels/desk/organisation_list.html"

    def get_context_data(self, **kwargs):
        from django.core.paginator import Paginator

        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "")
        channel = self.request.GET.get("channel", "")
        query = self.request.GET.get("q", "")
        organisations_qs = selectors.organisations_for_desk(
            self.channels, status=status, channel=channel, query=query
        )
        page = Paginator(organisations_qs, 30).get_page(self.request.GET.get("page"))
        counts = selectors.status_counts(self.channels)
        context.update(
            page=page,
            organisations=list(page.object_list),
            status=status,
            channel=channel,
            query=query,
            tabs=[(value, label, counts.get(value, 0)) for value, label in Organisation.Status.choices],
        )
        return context


ACTIONS_BY_STATUS = {
    Organisation.Status.APPLIED: ["approve", "reject"],
    Organisation.Status.APPROVED: ["suspend"],
    Organisation.Status.SUSPENDED: ["reinstate"],
    Organisation.Status.REJECTED: [],
}
SERVICES = {
    "approve": organisations.organisation_approve,
    "reject": organisations.organisation_reject,
    "suspend": organisations.organisation_suspend,
    "reinstate": organisations.organisation_reinstate,
}
DONE_MESSAGES = {
    "approve": gettext_lazy("Approved: its members see the channel's prices from now on."),
    "reject": gettext_lazy("Application rejected."),
    "suspend": gettext_lazy("Suspended: its members cannot order until it is reinstated."),
    "reinstate": gettext_lazy("Reinstated: its members can order again."),
}


class OrganisationDetailView(DeskMixin, TemplateView):
    section = "organisations"
    template_name = "channels/desk/organisation_detail.html"

    def load_objects(self):
        self.organisation = get_object_or_404(
            Organisation.objects.select_related("status_changed_by", "applicant"), pk=self.kwargs["pk"]
        )
        return self.check_channel(self.organisation.channel)

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = self.organisation
        context.update(
            organisation=organisation,
            members=list(organisation.memberships.select_related("user").order_by("role", "pk")),
            sites=list(organisation.sites.all()),
            history=list(organisation.status_changes.select_related("changed_by")),
            contract_list=PriceList.objects.filter(organisation=organisation).first(),
            actions=[
                (action, StatusDecisionForm.ACTIONS[action])
                for action in ACTIONS_BY_STATUS[organisation.status]
            ],
            form=form or StatusDecisionForm(),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = StatusDecisionForm(request.POST)
        if form.is_valid():
            action = form.cleaned_data["action"]
            if action not in ACTIONS_BY_STATUS[self.organisation.status]:
                form.add_error(None, _("This decision does not apply to an organisation in this status."))
            else:
                try:
                    SERVICES[action](
                        organisation=self.organisation, by=request.user, reason=form.cleaned_data["reason"]
                    )
                except ValidationError as error:
                    for message in error.messages:
                        form.add_error(None, message)
                else:
                    messages.success(request, str(DONE_MESSAGES[action]))
                    return redirect("channels:desk-organisation", pk=self.organisation.pk)
        return self.render_to_response(self.get_context_data(form=form))


class PriceListsView(DeskMixin, TemplateView):
    section = "prices"
    template_name = "channels/desk/price_lists.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["channel_lists"], context["contract_lists"] = selectors.price_lists_for_desk(self.channels)
        return context


class PriceListMixin(DeskMixin):
    """A channel's list (``/prices/<channel>/``) or an organisation's contract list
    (``/prices/<channel>/organisations/<pk>/``)."""

    section = "prices"

    def load_objects(self):
        self.channel = self.kwargs["channel"]
        if self.channel not in SalesChannel.values or self.channel == SalesChannel.RETAIL:
            raise Http404
        forbidden = self.check_channel(self.channel)
        if forbidden is not None:
            return forbidden
        self.organisation = None
        if "pk" in self.kwargs:
            self.organisation = get_object_or_404(Organisation, pk=self.kwargs["pk"], channel=self.channel)
        self.price_list = PriceList.objects.filter(
            channel=self.channel, organisation=self.organisation
        ).first()
        return None

    def list_title(self) -> str:
        label = SalesChannel(self.channel).label
        if self.organisation is not None:
            return _("Contract prices of %(organisation)s") % {"organisation": self.organisation}
        return _("Price list: %(channel)s") % {"channel": label}


class PriceListView(PriceListMixin, TemplateView):
    template_name = "channels/desk/price_list.html"

    def get_context_data(self, form=None, result=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            channel=SalesChannel(self.channel),
            organisation=self.organisation,
            price_list=self.price_list,
            title=self.list_title(),
            entries=list(selectors.price_list_entries(self.price_list)),
            form=form or PriceSheetForm(),
            result=result,
            today=timezone.localdate(),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = PriceSheetForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        result = prices.price_list_import(
            channel=self.channel,
            organisation=self.organisation,
            upload=form.cleaned_data["sheet"],
            by=request.user,
        )
        if not result.ok:
            return self.render_to_response(self.get_context_data(form=form, result=result), status=400)
        messages.success(request, _("Price list replaced: %(count)s prices saved.") % {"count": result.saved})
        return redirect(request.path)


class PriceListExportView(PriceListMixin, View):
    FORMATS = {
        "csv": ("text/csv; charset=utf-8", price_sheets.export_csv),
        "xlsx": (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            price_sheets.export_xlsx,
        ),
    }

    def get(self, request, *args, **kwargs):
        if kwargs["fmt"] not in self.FORMATS:
            raise Http404
        content_type, write = self.FORMATS[kwargs["fmt"]]
        price_list = self.price_list or PriceList(channel=self.channel, organisation=self.organisation)
        data = write(price_list)
        name = f"prices-{self.channel}" + (f"-org{self.organisation.pk}" if self.organisation else "")
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = (
            f'attachment; filename="{name}-{timezone.localdate():%Y%m%d}.{kwargs["fmt"]}"'
        )
        return response
