"""Signing in and personal API tokens."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from .nhsuk import NHSUKFormMixin


class SignInForm(NHSUKFormMixin, AuthenticationForm):
    """Django's sign-in form in NHS.UK style. Repeated failures are throttled by django-axes (see settings)."""


class ApiTokenForm(NHSUKFormMixin, forms.Form):
    name = forms.CharField(
        max_length=100,
        label="What is this token for?",
        help_text="For example, Regional dashboard.",
        error_messages={"required": "Enter what the token is for"},
    )
