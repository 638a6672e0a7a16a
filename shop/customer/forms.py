"""Oscar's account forms, with one change: an account with a verified mobile number (``shop.phone``)
may leave its e-mail address empty; it signs in by phone and is told by SMS."""

from django.apps import apps
from oscar.apps.customer import forms


class ProfileForm(forms.UserForm):
    """Oscar's profile form (its ``ProfileForm`` is ``UserForm`` without a profile class)."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        VerifiedMobile = apps.get_model("phone", "VerifiedMobile")
        if "email" in self.fields and VerifiedMobile.objects.filter(user=user).exists():
            self.fields["email"].required = False

    def clean_email(self):
        if not self.cleaned_data.get("email"):
            return ""  # only possible with a verified mobile number (required otherwise)
        return super().clean_email()
