"""Django's password reset forms in NHS.UK style (the sign-in form is tracker.forms.SignInForm)."""

from django.contrib.auth import forms as auth_forms

from tracker.forms import NHSUKFormMixin


class PasswordResetForm(NHSUKFormMixin, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(NHSUKFormMixin, auth_forms.SetPasswordForm):
    pass
