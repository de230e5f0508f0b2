"""The NHS.UK form components in Django: date input, character count, selects, and the mixin every form uses."""

import datetime

from django import forms
from django.core.validators import MaxLengthValidator
from django.forms.utils import flatatt, pretty_name
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

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


class NHSUKRadios(forms.RadioSelect):
    """NHS.UK radios, drawn by includes/field.html in a fieldset, each option with the hint in `hints` (by value)."""

    hints: dict = {}

    def id_for_label(self, id_, index=None):
        # The first radio carries the field's own id: the error summary's link lands on it.
        return id_

    @property
    def options_with_hints(self):
        return [(str(value), label, self.hints.get(value, "")) for value, label in self.choices]


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
        if isinstance(field.widget, NHSUKRadios):
            continue  # the fieldset carries the hint and error (includes/field.html)
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
