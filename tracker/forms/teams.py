"""Forms for teams: inviting, changing a role, and accepting an invitation by setting a password."""

from django import forms
from django.contrib.auth import get_user_model, password_validation

from ..choices import INVITABLE_ICS_ROLES, Role
from ..models import IntegratedCareSystem, Region
from .nhsuk import NHSUKFormMixin, NHSUKRadios, PlainSelect

ROLE_HINTS = {
    Role.VIEWER: "Reads the ICS's records and returns.",
    Role.EDITOR: "Also updates records, evidence and people, and submits the return.",
    Role.APPROVER: "Also signs off the return and manages this team.",
}
EMAIL_ERRORS = {
    "required": "Enter their email address",
    "invalid": "Enter an email address in the correct format, like name@example.nhs.uk",
}


class RoleRadios(NHSUKRadios):
    """What each role may do, under its radio."""

    hints = ROLE_HINTS


def role_field(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=[(role.value, role.label) for role in INVITABLE_ICS_ROLES],
        widget=RoleRadios,
        label=label,
        error_messages={"required": "Choose a role", "invalid_choice": "Choose approver, editor or viewer"},
    )


class InviteForm(NHSUKFormMixin, forms.Form):
    email = forms.EmailField(
        label="Email address",
        help_text="Their work email. The invitation link works once, for this address only.",
        error_messages=EMAIL_ERRORS,
    )
    role = role_field("Role")


class RoleForm(NHSUKFormMixin, forms.Form):
    role = role_field("Role")


class ReviewerInviteForm(NHSUKFormMixin, forms.Form):
    email = forms.EmailField(label="Email address", error_messages=EMAIL_ERRORS)
    region = forms.ModelChoiceField(
        queryset=Region.objects.all(),
        widget=PlainSelect,
        label="Region they review",
        empty_label="Choose a region",
        error_messages={"required": "Choose a region", "invalid_choice": "Choose a region from the list"},
    )


class ApproverInviteForm(NHSUKFormMixin, forms.Form):
    email = forms.EmailField(label="Email address", error_messages=EMAIL_ERRORS)
    system = forms.ModelChoiceField(
        queryset=IntegratedCareSystem.objects.none(),
        widget=PlainSelect,
        label="ICS",
        empty_label="Choose an ICS",
        error_messages={"required": "Choose an ICS", "invalid_choice": "Choose an ICS that has no approver"},
    )

    def __init__(self, *args, systems, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = systems


class SetPasswordForm(NHSUKFormMixin, forms.Form):
    """A new account for the invited address: their name and a password of their choosing."""

    first_name = forms.CharField(max_length=150, error_messages={"required": "Enter your first name"})
    last_name = forms.CharField(max_length=150, error_messages={"required": "Enter your last name"})
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters; not a common password, and not like your name or email.",
        error_messages={"required": "Enter a password"},
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter the password again"},
    )

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        data = super().clean()
        password = data.get("password1")
        if password and data.get("password2") and password != data["password2"]:
            self.add_error("password2", "The passwords do not match")
        elif password:
            user = get_user_model()(
                username=self.email,
                email=self.email,
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
            try:
                password_validation.validate_password(password, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data
