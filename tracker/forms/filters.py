"""A page's period and filters: the comparison, roll-ups and board report, and `/api/v1/comparison/`."""

from django import forms

from legacy.models import Publication, Theme

from ..models import Region
from ..periods import ReportingPeriod
from .nhsuk import NHSUKFormMixin, PlainSelect, ReferenceChoiceField


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
