import datetime

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.db.models import Q
from django.forms.utils import flatatt, pretty_name
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from legacy.models import Publication, Theme

from .choices import Assurance, EvidenceKind, Status
from .models import Person, Region
from .periods import ReportingPeriod
from .uploads import ALLOWED, MAX_UPLOAD_BYTES

DATE_PARTS = ("day", "month", "year")


class NHSUKDateInput(forms.MultiWidget):
    """The NHS.UK date input: three boxes, day, month and year, instead of the browser's date picker (which shows
    mm/dd/yyyy to many UK users). The parts marked in `error_parts` get the error style; the field's legend, hint
    and error message come from the form group around it (includes/field.html)."""

    template_name = ""  # rendered in Python: the form renderer does not look in the project's templates
    WIDTHS = {"day": 2, "month": 2, "year": 4}

    def __init__(self, attrs=None):
        super().__init__({part: forms.TextInput() for part in DATE_PARTS}, attrs)
        self.error_parts = ()

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def value_from_datadict(self, data, files, name):
        parts = super().value_from_datadict(data, files, name)
        if not any(parts) and data.get(name):
            # One ISO date (2026-05-14), as scripts and older clients post it: split into the three boxes.
            try:
                return self.decompress(datetime.date.fromisoformat(str(data[name]).strip()))
            except ValueError:
                return [None, None, str(data[name])]
        return parts

    def value_omitted_from_data(self, data, files, name):
        return name not in data and super().value_omitted_from_data(data, files, name)

    def id_for_label(self, id_):
        """The box an error summary link should focus: the first wrong part, else the day."""
        return f"{id_}_{(self.error_parts or DATE_PARTS)[0]}" if id_ else ""

    def render(self, name, value, attrs=None, renderer=None):
        values = value if isinstance(value, list | tuple) else self.decompress(value)
        id_ = (attrs or {}).get("id") or self.attrs.get("id") or f"id_{name}"
        items = []
        for part, part_value in zip(DATE_PARTS, values, strict=False):
            css = f"nhsuk-input nhsuk-date-input__input nhsuk-input--width-{self.WIDTHS[part]}"
            if part in self.error_parts:
                css += " nhsuk-input--error"
            items.append(
                format_html(
                    '<div class="nhsuk-date-input__item"><div class="nhsuk-form-group">'
                    '<label class="nhsuk-label nhsuk-date-input__label" for="{}_{}">{}</label>'
                    '<input class="{}" id="{}_{}" name="{}_{}" type="text" inputmode="numeric" value="{}">'
                    "</div></div>",
                    id_,
                    part,
                    part.capitalize(),
                    css,
                    id_,
                    part,
                    name,
                    part,
                    "" if part_value is None else part_value,
                )
            )
        return format_html('<div class="nhsuk-date-input" id="{}">{}</div>', id_, mark_safe("".join(items)))


class NHSUKDateField(forms.MultiValueField):
    """A date given as day, month and year, with the NHS.UK error messages that say which part is wrong
    ("Target date must include a month", "Target date must be a real date"). `error_parts` names the wrong parts
    after cleaning, for the widget to mark."""

    widget = NHSUKDateInput

    def __init__(self, *, label, required=True, **kwargs):
        parts = [forms.CharField(required=False) for _ in DATE_PARTS]
        kwargs.setdefault("error_messages", {}).setdefault("required", f"Enter the {label[0].lower()}{label[1:]}")
        super().__init__(parts, label=label, required=required, require_all_fields=False, **kwargs)
        self.error_parts = ()

    def compress(self, data_list):  # pragma: no cover - clean() does the whole job
        raise NotImplementedError

    def _fail(self, parts, message, code):
        self.error_parts = tuple(parts)
        raise forms.ValidationError(message, code=code, params={"label": self.label})

    def clean(self, value):
        self.error_parts = ()
        value = list(value) if isinstance(value, list | tuple) else self.widget.decompress(value)
        texts = [str(v).strip() if v is not None else "" for v in (value + [None] * 3)[:3]]
        given = dict(zip(DATE_PARTS, texts, strict=True))
        if not any(texts):
            if self.required:
                self._fail(DATE_PARTS, self.error_messages["required"], "required")
            return None
        missing = [part for part in DATE_PARTS if not given[part]]
        if missing:
            self._fail(missing, f"%(label)s must include a {' and '.join(missing)}", "incomplete")
        not_numbers = [part for part in DATE_PARTS if not given[part].isdigit()]
        if not_numbers:
            self._fail(not_numbers, "%(label)s must be a real date", "invalid")
        if len(given["year"]) != 4:
            self._fail(["year"], "Year must include 4 numbers", "invalid_year")
        day, month, year = (int(given[part]) for part in DATE_PARTS)
        if not 1 <= month <= 12:
            self._fail(["month"], "%(label)s must be a real date", "invalid")
        try:
            date = datetime.date(year, month, day)
        except ValueError:
            self._fail(["day"], "%(label)s must be a real date", "invalid")
        self.run_validators(date)
        return date


class LengthLimit(MaxLengthValidator):
    """A length limit that says which field, the limit and how much was entered, with thousands separators:
    "Summary must be 5,000 characters or fewer; you entered 10,000"."""

    def __init__(self, limit_value, label):
        super().__init__(limit_value)
        self.label = label

    def __call__(self, value):
        if len(value) > self.limit_value:
            raise forms.ValidationError(
                "%(label)s must be %(limit)s characters or fewer; you entered %(count)s",
                code="max_length",
                params={"label": self.label, "limit": f"{self.limit_value:,}", "count": f"{len(value):,}"},
            )


class CharacterCountTextarea(forms.Textarea):
    """A textarea shown as the NHS.UK character count (includes/field.html): it counts as people type and never
    cuts what they paste; the form's length check says by how much they are over."""


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
    """Give every widget the NHS.UK class for its kind, point it at its hint and error message, and mark the fields
    (and the parts of a date) in `errors`."""
    classes = {
        forms.Select: "nhsuk-select",
        PlainSelect: "nhsuk-select",
        forms.Textarea: "nhsuk-textarea",
        CharacterCountTextarea: "nhsuk-textarea nhsuk-js-character-count",
        forms.ClearableFileInput: "nhsuk-file-upload",
        forms.FileInput: "nhsuk-file-upload",
    }
    for name, field in form.fields.items():
        if isinstance(field.widget, forms.HiddenInput):
            continue
        if isinstance(field, NHSUKDateField):
            # The fieldset carries the hint and error; the widget marks the parts that are wrong.
            field.widget.error_parts = (field.error_parts or DATE_PARTS) if name in errors else ()
            continue
        css = classes.get(type(field.widget), "nhsuk-input")
        if name in errors:
            css += f" {css.split()[0]}--error"
        field.widget.attrs["class"] = css
        auto_id = form[name].auto_id
        described_by = [
            *([f"{auto_id}_helptext"] if field.help_text else []),
            *([f"{auto_id}-info"] if isinstance(field.widget, CharacterCountTextarea) else []),
            *([f"{auto_id}_error"] if name in errors else []),
        ]
        if auto_id and described_by:
            field.widget.attrs["aria-describedby"] = " ".join(described_by)
        else:
            field.widget.attrs.pop("aria-describedby", None)


def limit_lengths(form):
    """Replace each text field's length check by one that names the field and the counts, and drop the maxlength
    attribute, with which a browser silently cuts pasted text at the limit."""
    for name, field in form.fields.items():
        if isinstance(field, forms.CharField) and field.max_length:
            label = field.label or pretty_name(name)
            field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
            field.validators.append(LengthLimit(field.max_length, label))
            field.widget.attrs.pop("maxlength", None)
            if isinstance(field.widget, CharacterCountTextarea):
                field.widget.limit_text = f"{field.max_length:,}"


class NHSUKFormMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_lengths(self)
        nhsuk_widgets(self)

    def full_clean(self):
        super().full_clean()
        nhsuk_widgets(self, self._errors or ())


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
    summary = forms.CharField(required=False, max_length=5000, widget=CharacterCountTextarea(attrs={"rows": 5}))
    reason = forms.CharField(
        required=False,
        max_length=1000,
        label="Reason for the change",
        help_text="Needed when the status or target date changes. It is kept in the history.",
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


class SignInForm(NHSUKFormMixin, AuthenticationForm):
    """Django's sign-in form in NHS.UK style. Repeated failures are throttled by django-axes (see settings)."""


class ApiTokenForm(NHSUKFormMixin, forms.Form):
    name = forms.CharField(
        max_length=100,
        label="What is this token for?",
        help_text="For example, Regional dashboard.",
        error_messages={"required": "Enter what the token is for"},
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
            choices=[("", "Current period")] + [(p.code, p.label) for p in periods],
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
