"""Forms for an ICS's records: a record, its evidence, its people, starting from a predecessor."""

from django import forms
from django.db.models import Q
from django.utils import timezone

from ..choices import EvidenceKind, Status
from ..models import Person
from ..uploads import ALLOWED, MAX_UPLOAD_BYTES
from .nhsuk import CharacterCountTextarea, NHSUKDateField, NHSUKFormMixin

# Signed-off summaries and reasons are open data (tracker/services/open_data.py): whoever writes them should know.
PUBLISHED = (
    "Once the quarter's return is signed off, the national team may publish this as open data: "
    "do not name anyone in it."
)


class ProgressRecordForm(NHSUKFormMixin, forms.Form):
    status = forms.ChoiceField(
        choices=Status.choices,
        help_text="Red: not started or off track. Amber: in progress, with risks. Green: on track. "
        "Blue: complete and embedded.",
        error_messages={"required": "Select a status", "invalid_choice": "Select a status from the list"},
    )
    accountable_owner = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        required=False,
        error_messages={"invalid_choice": "Select a valid choice: that person is not offered as an owner here"},
    )
    delivery_lead = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        required=False,
        error_messages={"invalid_choice": "Select a valid choice: that person is not offered as an owner here"},
    )
    target_date = NHSUKDateField(label="Target date", required=False, help_text="For example, 31 3 2027")
    summary = forms.CharField(
        required=False,
        max_length=5000,
        help_text=f"What the ICS is doing about this item. {PUBLISHED}",
        widget=CharacterCountTextarea(attrs={"rows": 5}),
    )
    reason = forms.CharField(
        required=False,
        max_length=1000,
        label="Reason for the change",
        help_text=f"Needed when the status or target date changes. It is kept in the history. {PUBLISHED}",
        # A reason belongs to one save: the browser must not offer it again, nor restore it on Back.
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput(attrs={"autocomplete": "off"}), min_value=0)

    def __init__(self, *args, system, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Retired people are not offered for new assignments; whoever the record names now stays selectable.
        named = [p for p in (record.accountable_owner_id, record.delivery_lead_id) if p] if record else []
        people = Person.objects.filter(system=system).filter(Q(retired_on__isnull=True) | Q(pk__in=named))
        for name in ("accountable_owner", "delivery_lead"):
            self.fields[name].queryset = people
            self.fields[name].label_from_instance = lambda p: f"{p} (retired)" if p.is_retired else str(p)


class EvidenceForm(NHSUKFormMixin, forms.Form):
    title = forms.CharField(max_length=200, error_messages={"required": "Enter a title"})
    kind = forms.ChoiceField(
        choices=EvidenceKind.choices,
        error_messages={"required": "Select the kind of evidence", "invalid_choice": "Select a kind from the list"},
    )
    refers_to = NHSUKDateField(
        label="Date it refers to",
        help_text="For example, the date of the board meeting: 14 5 2026.",
        error_messages={"required": "Enter the date the evidence refers to"},
    )
    description = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    url = forms.URLField(
        required=False,
        max_length=500,
        label="Link",
        assume_scheme="https",
        error_messages={"invalid": "Enter a link in the correct format, like https://www.example.nhs.uk/paper"},
    )
    file = forms.FileField(
        required=False,
        label="Or upload a file",
        help_text=f"{ALLOWED}; up to {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.",
    )

    def clean_refers_to(self):
        refers_to = self.cleaned_data["refers_to"]
        if refers_to > timezone.localdate():
            raise forms.ValidationError("The date the evidence refers to cannot be in the future")
        return refers_to

    def clean(self):
        cleaned = super().clean()
        if "url" in self.errors or "file" in self.errors:
            return cleaned
        if not cleaned.get("url") and not cleaned.get("file"):
            self.add_error("url", forms.ValidationError("Give a link or upload a file", code="required"))
        elif cleaned.get("url") and cleaned.get("file"):
            self.add_error("url", forms.ValidationError("Give either a link or a file, not both", code="both"))
        return cleaned


class WithdrawEvidenceForm(NHSUKFormMixin, forms.Form):
    reason = forms.CharField(
        max_length=1000,
        label="Why are you withdrawing it?",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter why you are withdrawing this evidence"},
    )


class PersonForm(NHSUKFormMixin, forms.ModelForm):
    """A person an ICS names as an owner: added, or (with `instance`) corrected."""

    class Meta:
        model = Person
        fields = ["name", "job_title", "email"]
        error_messages = {
            "name": {"required": "Enter their full name"},
            "job_title": {"required": "Enter their job title"},
            "email": {
                "required": "Enter their email address",
                "invalid": "Enter an email address in the correct format, like name@example.nhs.uk",
            },
        }

    def __init__(self, *args, system, **kwargs):
        super().__init__(*args, **kwargs)
        self.system = system

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        others = Person.objects.filter(system=self.system, email__iexact=email)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError("This system already has someone with that email address.")
        return email


class StartFromPredecessorForm(NHSUKFormMixin, forms.Form):
    predecessor = forms.ModelChoiceField(
        queryset=None,
        label="Predecessor ICB",
        error_messages={"required": "Select a predecessor ICB", "invalid_choice": "Select a predecessor from the list"},
    )

    def __init__(self, *args, successor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["predecessor"].queryset = successor.predecessors.all()
