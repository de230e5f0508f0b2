"""Forms for acting on a quarterly return: reopen, assure, challenge, answer."""

from django import forms

from ..choices import Assurance
from .nhsuk import NHSUKFormMixin


class ReasonForm(NHSUKFormMixin, forms.Form):
    reason = forms.CharField(
        max_length=1000,
        label="Why reopen this return?",
        help_text="It goes into the return's history; the signed-off version is kept.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the reason for reopening the return."},
    )


class AssureForm(NHSUKFormMixin, forms.Form):
    assurance = forms.ChoiceField(
        choices=Assurance.choices,
        label="Assurance opinion",
        error_messages={"required": "Choose an assurance opinion."},
    )
    comment = forms.CharField(
        max_length=2000,
        label="What the opinion rests on",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what the opinion rests on."},
    )


class ChallengeForm(NHSUKFormMixin, forms.Form):
    recommendation = forms.ModelChoiceField(
        queryset=None, to_field_name="code", label="Item", error_messages={"required": "Choose the item."}
    )
    text = forms.CharField(
        max_length=2000,
        label="Your challenge",
        help_text="For example: the evidence does not support green.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter your challenge."},
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recommendation"].queryset = items
        self.fields["recommendation"].label_from_instance = lambda item: f"{item.code} {item.title}"


class AnswerForm(NHSUKFormMixin, forms.Form):
    answer = forms.CharField(
        max_length=2000,
        label="Your answer",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter your answer to the challenge."},
    )
