"""Filter pieces shared by the apps' FilterSets."""

import datetime

import django_filters
from django import forms

TRUE, FALSE = {"true", "1", "yes"}, {"false", "0", "no"}


class StrictBooleanField(forms.NullBooleanField):
    """true/false (or 1/0, yes/no); anything else is an error rather than silently no filter."""

    widget = forms.Select(choices=[("", "Any"), ("true", "Yes"), ("false", "No")])

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise forms.ValidationError("Use true or false.", code="invalid")

    def validate(self, value):
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class UTCDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 date-time, converted to UTC so any valid offset reaches the database as one it accepts."""

    def clean(self, value):
        value = super().clean(value)
        if value is None:
            return None
        try:
            return value.astimezone(datetime.UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError("Enter a date and time between the years 1 and 9999.", code="invalid") from None


class UTCDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UTCDateTimeField
