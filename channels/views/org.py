"""A member's pages of their own organisation, under /shop/channels/org/.

Which organisation is the signed-in user's membership, read from the database on every request
(``MemberMixin``): no URL, parameter or cookie names it. Objects named in a URL (a site, a member,
an invitation) are read through the organisation's own querysets, so another organisation's id is
simply not found (404). Pages marked ``admin_only`` need the administrator role (403 otherwise).
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from channels import selectors
from channels.forms import BillingForm, DeliverySiteForm, InvitationForm, RoleForm, add_validation_error
from channels.models import Invitation, Membership
from channels.services import members, organisations


class MemberMixin:
    section = "overview"
    admin_only = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.membership = selectors.membership_for(request.user)
        if self.membership is None:
            return render(request, "channels/org/no_access.html", status=403)
        self.organisation = self.membership.organisation
        if self.admin_only and not self.membership.is_admin:
            return render(
                request,
                "channels/org/admin_only.html",
                {"organisation": self.organisation, "membership": self.membership},
                status=403,
            )
        self.load_objects()
        return super().dispatch(request, *args, **kwargs)

    def load_objects(self) -> None:
        """Fetch the objects named in the URL through the organisation's own querysets (404 otherwise)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(organisation=self.organisation, membership=self.membership, section=self.section)
        return context


class ServiceFormMixin:
    """A valid form goes to ``save``; a service's ValidationError lands on the form."""

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


class OverviewView(MemberMixin, TemplateView):
    template_name = "channels/org/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["history"] = list(self.organisation.status_changes.all()[:5])
        context["site_count"] = self.organisation.sites.filter(is_active=True).count()
        context["member_count"] = self.organisation.memberships.count()
        context["priced_count"] = (
            selectors.member_priced_count(self.organisation) if self.organisation.may_order else 0
        )
        return context


class PricesView(MemberMixin, TemplateView):
    section = "prices"
    template_name = "channels/org/prices.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = (
            selectors.member_price_rows(self.organisation) if self.organisation.may_order else []
        )
        return context


class BillingView(MemberMixin, ServiceFormMixin, FormView):
    section = "billing"
    admin_only = True
    template_name = "channels/org/billing_form.html"
    form_class = BillingForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.organisation}

    def get_success_url(self):
        return self.request.path

    def save(self, form):
        organisations.organisation_billing_update(
            organisation=self.organisation, by=self.request.user, **form.cleaned_data
        )
        messages.success(self.request, _("Billing details saved."))


class SiteListView(MemberMixin, TemplateView):
    section = "sites"
    template_name = "channels/org/sites.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sites"] = list(self.organisation.sites.all())
        return context


class SiteFormView(MemberMixin, ServiceFormMixin, FormView):
    section = "sites"
    admin_only = True
    template_name = "channels/org/site_form.html"
    form_class = DeliverySiteForm
    site = None

    def load_objects(self):
        if "pk" in self.kwargs:
            self.site = get_object_or_404(self.organisation.sites, pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.site}

    def get_context_data(self, **kwargs):
        return super().get_context_data(site=self.site, **kwargs)

    def get_success_url(self):
        from django.urls import reverse

        return reverse("channels:org-sites")

    def save(self, form):
        if self.site is None:
            organisations.delivery_site_create(
                organisation=self.organisation, by=self.request.user, **form.cleaned_data
            )
            messages.success(self.request, _("Delivery site added."))
        else:
            organisations.delivery_site_update(site=self.site, by=self.request.user, **form.cleaned_data)
            messages.success(self.request, _("Delivery site saved."))


class SiteActiveView(MemberMixin, View):
    section = "sites"
    admin_only = True

    def post(self, request, pk):
        site = get_object_or_404(self.organisation.sites, pk=pk)
        active = request.POST.get("active") == "1"
        organisations.delivery_site_set_active(site=site, by=request.user, active=active)
        message = _("Deliveries to %(site)s resumed.") if active else _("%(site)s is no longer used.")
        messages.success(request, message % {"site": site.name})
        return redirect("channels:org-sites")


class MemberListView(MemberMixin, TemplateView):
    section = "members"
    template_name = "channels/org/members.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["members"] = list(self.organisation.memberships.select_related("user").order_by("role", "pk"))
        context["roles"] = Membership.Role.choices
        return context


class MemberRoleView(MemberMixin, View):
    section = "members"
    admin_only = True

    def post(self, request, pk):
        member = get_object_or_404(self.organisation.memberships, pk=pk)
        form = RoleForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a role."))
            return redirect("channels:org-members")
        try:
            members.membership_role_change(membership=member, role=form.cleaned_data["role"], by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Role changed."))
        return redirect("channels:org-members")


class MemberRemoveView(MemberMixin, View):
    """An administrator removes a member; any member may leave (``pk`` is their own membership)."""

    section = "members"

    def post(self, request, pk):
        member = get_object_or_404(self.organisation.memberships, pk=pk)
        if member.pk != self.membership.pk and not self.membership.is_admin:
            raise PermissionDenied
        try:
            members.membership_remove(membership=member, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("channels:org-members")
        if member.pk == self.membership.pk:
            messages.success(request, _("You left %(organisation)s.") % {"organisation": self.organisation})
            return redirect("customer:summary")
        messages.success(request, _("Member removed."))
        return redirect("channels:org-members")


class InvitationsView(MemberMixin, ServiceFormMixin, FormView):
    section = "invitations"
    admin_only = True
    template_name = "channels/org/invitations.html"
    form_class = InvitationForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["invitations"] = list(
            self.organisation.invitations.select_related("created_by", "accepted_by").order_by("-created_at")[
                :50
            ]
        )
        return context

    def get_success_url(self):
        return self.request.path

    def save(self, form):
        invitation = members.invitation_create(
            organisation=self.organisation, by=self.request.user, **form.cleaned_data
        )
        messages.success(self.request, _("Invitation sent to %(email)s.") % {"email": invitation.email})


class InvitationRevokeView(MemberMixin, View):
    section = "invitations"
    admin_only = True

    def post(self, request, pk):
        invitation = get_object_or_404(Invitation, pk=pk, organisation=self.organisation)
        members.invitation_revoke(invitation=invitation, by=request.user)
        messages.success(request, _("Invitation to %(email)s withdrawn.") % {"email": invitation.email})
        return redirect("channels:org-invitations")
