"""Applying for an organisation account, and accepting an invitation to one."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from channels import selectors
from channels.forms import NewAccountForm, OrganisationApplicationForm, add_validation_error
from channels.models import Organisation
from channels.services import members, organisations


class ApplyView(LoginRequiredMixin, FormView):
    """A signed-in user applies for their organisation and becomes its administrator."""

    template_name = "channels/apply.html"
    form_class = OrganisationApplicationForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            membership = selectors.membership_for(request.user)
            if membership is not None and membership.organisation.status != Organisation.Status.REJECTED:
                messages.info(
                    request,
                    _("You already belong to %(organisation)s.") % {"organisation": membership.organisation},
                )
                return redirect("channels:org")
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        user = self.request.user
        # Chinese names: family name first.
        return {"email": user.email, "contact_name": f"{user.last_name}{user.first_name}".strip()}

    def form_valid(self, form):
        try:
            organisations.organisation_apply(user=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Application sent. A channel manager checks it, usually within two working days."),
        )
        return redirect("channels:org")


class InvitationView(View):
    """The link in an invitation e-mail: accept it signed in, or create the invited account here."""

    template_name = "channels/invitation.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.invitation = members.invitation_from_token(kwargs["token"])
        self.problem = members.invitation_problem(self.invitation)

    def account_exists(self) -> bool:
        from django.contrib.auth import get_user_model

        return get_user_model().objects.filter(email__iexact=self.invitation.email).exists()

    def render(self, request, *, form=None, error="", status=200):
        context = {"invitation": self.invitation, "problem": self.problem, "error": error}
        if not self.problem:
            user = request.user
            context.update(
                signed_in_as_invited=user.is_authenticated
                and (user.email or "").lower() == self.invitation.email.lower(),
                account_exists=self.account_exists(),
                form=form or NewAccountForm(),
            )
        return render(request, self.template_name, context, status=status)

    def get(self, request, token):
        return self.render(request, status=404 if self.invitation is None else 200)

    def post(self, request, token):
        if self.problem:
            return self.render(request, status=404 if self.invitation is None else 200)
        if request.user.is_authenticated:
            try:
                members.invitation_accept(invitation=self.invitation, user=request.user)
            except ValidationError as error:
                return self.render(request, error=" ".join(error.messages))
            return self._joined(request)
        form = NewAccountForm(request.POST)
        if not form.is_valid():
            return self.render(request, form=form)
        try:
            membership = members.invitation_accept_new_account(
                invitation=self.invitation,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as error:
            add_validation_error(form, error)
            return self.render(request, form=form)
        login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
        return self._joined(request)

    def _joined(self, request):
        messages.success(
            request,
            _("Welcome to %(organisation)s.") % {"organisation": self.invitation.organisation},
        )
        return redirect("channels:org")
