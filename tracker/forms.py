from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from legacy.models import Publication, Theme

from .choices import Assurance, EvidenceKind, Status
from .models import Person, Region
from .periods import ReportingPeriod
from .uploads import ALLOWED, MAX_UPLOAD_BYTES


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PlainSelect(forms.Select):
    """A <select> built in Python from Django's own option context. Django renders each option through a
    template, which made the filters a fifth of the national comparison's time (see benchmarks/)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        html = [f'<select name="{escape(widget["name"])}"{flatatt(widget["attrs"])}>']
        for group, options, _ in widget["optgroups"]:
            html += [f'<optgroup label="{escape(group)}">'] if group else []
            html += [
                f'<option value="{escape(option["value"])}"{flatatt(option["attrs"]) if option["attrs"] else ""}>'
                f"{escape(option['label'])}</option>"
                for option in options
            ]
            html += ["</optgroup>"] if group else []
        html.append("</select>")
        return mark_safe("".join(html))


class ReferenceChoiceIterator(forms.models.ModelChoiceIterator):
    """Reads the choices in one plain query. Django's default streams them through a server-side cursor,
    which costs PostgreSQL three round trips: worth it for big tables, not for a handful of regions."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class ReferenceChoiceField(forms.ModelChoiceField):
    """A choice of a small reference table (regions, publications, themes), as a filter."""

    iterator = ReferenceChoiceIterator
    widget = PlainSelect


def nhsuk_widgets(form, errors=()):
    """Give every widget the NHS.UK class for its kind, and mark the fields in `errors`."""
    classes = {
        forms.Select: "nhsuk-select",
        PlainSelect: "nhsuk-select",
        forms.Textarea: "nhsuk-textarea",
        forms.ClearableFileInput: "nhsuk-file-upload",
        forms.FileInput: "nhsuk-file-upload",
    }
    for name, field in form.fields.items():
        css = classes.get(type(field.widget), "nhsuk-input")
        if isinstance(field.widget, DateInput):
            css += " nhsuk-input--width-10"
        if name in errors:
            css += f" {css.split()[0]}--error"
        field.widget.attrs["class"] = css


class NHSUKFormMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        nhsuk_widgets(self)

    def full_clean(self):
        super().full_clean()
        nhsuk_widgets(self, self._errors or ())


class ProgressRecordForm(NHSUKFormMixin, forms.Form):
    status = forms.ChoiceField(
        choices=Status.choices,
        help_text="Red: not started or off track. Amber: in progress, with risks. Green: on track. "
        "Blue: complete and embedded.",
    )
    accountable_owner = forms.ModelChoiceField(queryset=Person.objects.none(), required=False)
    delivery_lead = forms.ModelChoiceField(queryset=Person.objects.none(), required=False)
    target_date = forms.DateField(required=False, widget=DateInput())
    summary = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    reason = forms.CharField(
        required=False,
        max_length=1000,
        label="Reason for the change",
        help_text="Needed when the status or target date changes. It is kept in the history.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, system, **kwargs):
        super().__init__(*args, **kwargs)
        people = Person.objects.filter(system=system)
        self.fields["accountable_owner"].queryset = people
        self.fields["delivery_lead"].queryset = people


class EvidenceForm(NHSUKFormMixin, forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=EvidenceKind.choices)
    refers_to = forms.DateField(
        label="Date it refers to", help_text="For example, the date of the board meeting.", widget=DateInput()
    )
    description = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    url = forms.URLField(required=False, max_length=500, label="Link", assume_scheme="https")
    file = forms.FileField(
        required=False,
        label="Or upload a file",
        help_text=f"{ALLOWED}; up to {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.",
    )

    def clean_refers_to(self):
        refers_to = self.cleaned_data["refers_to"]
        if refers_to > timezone.localdate():
            raise forms.ValidationError("The date the evidence refers to cannot be in the future.")
        return refers_to

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("url")) == bool(cleaned.get("file")) and not self.errors:
            raise forms.ValidationError("Give either a link or a file, not both.")
        return cleaned


class WithdrawEvidenceForm(NHSUKFormMixin, forms.Form):
    reason = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class PersonForm(NHSUKFormMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = ["name", "job_title", "email"]

    def __init__(self, *args, system, **kwargs):
        super().__init__(*args, **kwargs)
        self.system = system

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if Person.objects.filter(system=self.system, email__iexact=email).exists():
            raise forms.ValidationError("This system already has someone with that email address.")
        return email


class StartFromPredecessorForm(NHSUKFormMixin, forms.Form):
    predecessor = forms.ModelChoiceField(queryset=None, label="Predecessor ICB")

    def __init__(self, *args, successor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["predecessor"].queryset = successor.predecessors.all()


class SignInForm(NHSUKFormMixin, AuthenticationForm):
    """Django's sign-in form in NHS.UK style. Repeated failures are throttled by django-axes (see settings)."""


class ApiTokenForm(NHSUKFormMixin, forms.Form):
    name = forms.CharField(
        max_length=100, label="What is this token for?", help_text="For example, Regional dashboard."
    )


class PeriodField(forms.CharField):
    """A reporting period code such as 2026-27-Q2, cleaned to a ReportingPeriod."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            period = ReportingPeriod.from_code(value)
        except ValueError:
            # The code goes in as a parameter: user input in the message itself would be %-formatted.
            raise forms.ValidationError(
                "“%(code)s” is not a reporting period: use the form 2026-27-Q2 (Q1 is April to June).",
                code="invalid",
                params={"code": value},
            ) from None
        first, current = ReportingPeriod.all_until()[0], ReportingPeriod.current()
        if not first <= period <= current:
            raise forms.ValidationError(f"Choose a period from {first.code} (when ICSs began) to {current.code}.")
        return period


class PeriodForm(NHSUKFormMixin, forms.Form):
    period = PeriodField(required=False, label="Reporting period", help_text="Default: the current period.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        periods = reversed(ReportingPeriod.all_until())
        self.fields["period"].widget = PlainSelect(
            choices=[("", "Current period")] + [(p.code, f"{p.label} ({p.code})") for p in periods],
            attrs={"class": "nhsuk-select"},
        )


class ComparisonForm(PeriodForm):
    """The comparison's choices, for the pages and `/api/v1/comparison/` alike."""

    region = ReferenceChoiceField(Region.objects.all(), to_field_name="code", required=False, empty_label="All regions")
    publication = ReferenceChoiceField(
        Publication.objects.all(), to_field_name="slug", required=False, empty_label="All publications"
    )
    theme = ReferenceChoiceField(Theme.objects.all(), to_field_name="slug", required=False, empty_label="All themes")

    def offer_only(self, regions, themes_by_publication):
        """Offer just the regions, publications and themes a comparison has (themes grouped by publication),
        from rows the page has already read. What the form accepts is unchanged."""
        region, publication, theme = self.fields["region"], self.fields["publication"], self.fields["theme"]
        region.choices = [("", region.empty_label), *((r.code, region.label_from_instance(r)) for r in regions)]
        publication.choices = [
            ("", publication.empty_label),
            *((p.slug, publication.label_from_instance(p)) for p, _ in themes_by_publication),
        ]
        theme.choices = [
            ("", theme.empty_label),
            *(
                (str(p), [(t.slug, theme.label_from_instance(t)) for t in themes])
                for p, themes in themes_by_publication
            ),
        ]


def period_and_filters(request, form_class=ComparisonForm):
    """A page's period and filters from its query string. Invalid ones are shown as the form's errors and fall back
    to the defaults (the current period, no filter), so the page still answers."""
    form = form_class(request.GET or None)
    choices = dict(form.cleaned_data) if form.is_bound and form.is_valid() else {}
    period = choices.pop("period", None) or ReportingPeriod.current()
    return form, period, {name: value for name, value in choices.items() if value is not None}


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
