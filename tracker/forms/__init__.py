"""Forms, by concern: nhsuk.py (the NHS.UK components every form uses), records.py, account.py, filters.py
(periods and comparison filters), returns.py, teams.py, imports.py, open_data.py. Views and the API import them
from here."""

from .account import ApiTokenForm, SignInForm
from .filters import ComparisonForm, PeriodField, PeriodForm, period_and_filters
from .imports import ImportForm
from .nhsuk import NHSUKDateField, NHSUKDateInput, NHSUKFormMixin, PlainSelect, ReferenceChoiceField, nhsuk_widgets
from .notifications import NotificationPreferenceForm
from .open_data import PublishOpenDataForm
from .records import EvidenceForm, PersonForm, ProgressRecordForm, StartFromPredecessorForm, WithdrawEvidenceForm
from .returns import AnswerForm, AssureForm, ChallengeForm, ReasonForm
from .teams import ApproverInviteForm, InviteForm, ReviewerInviteForm, RoleForm, SetPasswordForm

__all__ = [
    "AnswerForm",
    "ApiTokenForm",
    "ApproverInviteForm",
    "AssureForm",
    "ChallengeForm",
    "ComparisonForm",
    "EvidenceForm",
    "ImportForm",
    "InviteForm",
    "NHSUKDateField",
    "NHSUKDateInput",
    "NHSUKFormMixin",
    "NotificationPreferenceForm",
    "PeriodField",
    "PeriodForm",
    "PersonForm",
    "PlainSelect",
    "ProgressRecordForm",
    "PublishOpenDataForm",
    "ReasonForm",
    "ReferenceChoiceField",
    "ReviewerInviteForm",
    "RoleForm",
    "SetPasswordForm",
    "SignInForm",
    "StartFromPredecessorForm",
    "WithdrawEvidenceForm",
    "nhsuk_widgets",
    "period_and_filters",
]
