"""The national team's form to publish a signed-off quarter as open data, on the returns page."""

from django import forms

from ..services.open_data import MAX_NOTE_LENGTH
from .filters import PeriodField
from .nhsuk import NHSUKFormMixin, PlainSelect


class PublishOpenDataForm(NHSUKFormMixin, forms.Form):
    period = PeriodField(label="Period to publish", error_messages={"required": "Choose the period to publish."})
    note = forms.CharField(
        required=False,
        max_length=MAX_NOTE_LENGTH,
        label="Note (required for a correction)",
        help_text="Published with the dataset: for a correction, say what it corrects.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label="I confirm these signed-off returns may be published, for anyone to read, under the Open Government "
        "Licence v3.0. A published version can never be changed or withdrawn.",
        error_messages={"required": "Confirm that the period may be published: it cannot be withdrawn."},
    )

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].widget = PlainSelect(
            choices=[(p.code, p.label) for p in periods], attrs={"class": "nhsuk-select"}
        )
