"""How a user wants their notifications."""

from django import forms

from ..choices import MANDATORY_NOTIFICATION_KINDS, NotificationKind

OPTIONAL_KINDS = [(kind.value, kind.label) for kind in NotificationKind if kind not in MANDATORY_NOTIFICATION_KINDS]


class NotificationPreferenceForm(forms.Form):
    delivery = forms.ChoiceField(
        choices=[("immediate", "One mail for each notification, as it happens"), ("digest", "One mail a day")],
        widget=forms.RadioSelect,
    )
    kinds = forms.MultipleChoiceField(
        choices=OPTIONAL_KINDS, required=False, widget=forms.CheckboxSelectMultiple, label="Tell me when"
    )

    @classmethod
    def for_preference(cls, preference, data=None):
        initial = {
            "delivery": "digest" if preference and preference.daily_digest else "immediate",
            "kinds": [kind for kind, _ in OPTIONAL_KINDS if not preference or kind not in preference.muted_kinds],
        }
        return cls(data, initial=initial)

    @property
    def muted_kinds(self) -> list[str]:
        return [kind for kind, _ in OPTIONAL_KINDS if kind not in self.cleaned_data["kinds"]]
