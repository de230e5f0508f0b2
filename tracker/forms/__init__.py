"""Forms, by concern: nhsuk.py (the NHS.UK components every form uses), records.py, account.py, filters.py
(periods and comparison filters), returns.py, open_data.py. Views and the API import them from here."""

from .account import ApiTokenForm, SignInForm
from .filters import ComparisonForm, PeriodField, PeriodForm, period_and_filters
from .nhsuk import NHSUKDateField, NHSUKDateInput, NHSUKFormMixin, PlainSelect, ReferenceChoiceField, nhsuk_widgets
from .open_data import PublishOpenDataForm
from .records import EvidenceForm, PersonForm, ProgressRecordForm, StartFromPredecessorForm, WithdrawEvidenceForm
from .returns import AnswerForm, AssureForm, ChallengeForm, ReasonForm

__all__ = [
    "AnswerForm",
    "ApiTokenForm",
    "AssureForm",
    "ChallengeForm",
    "ComparisonForm",
    "EvidenceForm",
    "NHSUKDateField",
    "NHSUKDateInput",
    "NHSUKFormMixin",
    "PeriodField",
    "PeriodForm",
    "PersonForm",
    "PlainSelect",
    "ProgressRecordForm",
    "PublishOpenDataForm",
    "ReasonForm",
    "ReferenceChoiceField",
    "SignInForm",
    "StartFromPredecessorForm",
    "WithdrawEvidenceForm",
    "nhsuk_widgets",
    "period_and_filters",
]
