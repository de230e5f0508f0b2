"""Quarterly returns: one ICS's return for a period (and every action on it), and the national returns page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from legacy.models import Recommendation

from .. import permissions, selectors, services
from ..choices import Assurance, PositionSource, ReturnState
from ..exports import requested_format, table_response
from ..filtersets import QuarterlyReturnFilterSet
from ..forms import AnswerForm, AssureForm, ChallengeForm, PublishOpenDataForm, ReasonForm
from ..models import Challenge, QuarterlyReturn, SignOff
from ..periods import ReportingPeriod

RECENT_PERIODS = 4


def _period(code: str) -> ReportingPeriod:
    try:
        period = ReportingPeriod.from_code(code)
    except ValueError:
        raise Http404("No such reporting period.") from None
    if not ReportingPeriod.all_until()[0] <= period <= ReportingPeriod.current():
        raise Http404("No return for that period.")
    return period


def _the_return(system, period) -> QuarterlyReturn:
    """The system's return for the period: opened at the period's start (manage.py open_returns); none before."""
    return get_object_or_404(QuarterlyReturn, system=system, period=period.code)


def _return_page(request, system, period, *, forms=None, refused=None, status=200):
    quarterly_return = _the_return(system, period)
    version = request.GET.get("version")
    sign_offs = list(SignOff.objects.filter(quarterly_return=quarterly_return).order_by("-number"))
    shown = quarterly_return.sign_off
    if version and version.isdigit():
        shown = next((s for s in sign_offs if s.number == int(version)), None) or shown
    actions = permissions.return_actions(request.user, quarterly_return)
    challenges = Challenge.objects.filter(quarterly_return=quarterly_return).select_related("recommendation")
    assurance = shown.assurances.first() if shown else None
    forms = {
        "reason": ReasonForm(),
        "assure": AssureForm(),
        "challenge": ChallengeForm(items=Recommendation.objects.trackable().in_source_order()),
        **(forms or {}),
    }
    return render(
        request,
        "tracker/returns/return_detail.html",
        {
            "system": system,
            "period": period,
            "quarterly_return": quarterly_return,
            "blocking": services.return_blocking(quarterly_return)
            if quarterly_return.state == ReturnState.OPEN
            else [],
            "actions": actions,
            "sign_offs": sign_offs,
            "shown": shown,
            "positions": shown.positions.select_related("recommendation").order_by(
                "-recommendation__publication__published_on", "recommendation__theme__order", "recommendation__order"
            )
            if shown
            else [],
            "assurance": assurance,
            "challenges": challenges,
            "answer_form": AnswerForm(),
            "events": quarterly_return.events.all(),
            "forms": forms,
            "refused": refused,
        },
        status=status,
    )


@permissions.role_required
def return_detail(request, ods_code, period):
    system = permissions.get_system_for_user(request.user, ods_code)
    return _return_page(request, system, _period(period))


def _submit(quarterly_return, user, period, data):
    services.return_submit(quarterly_return=quarterly_return, user=user)
    return "Return submitted for sign-off."


def _withdraw(quarterly_return, user, period, data):
    services.return_withdraw(quarterly_return=quarterly_return, user=user)
    return "Return withdrawn: it is open again."


def _sign_off(quarterly_return, user, period, data):
    sign_off = services.return_sign_off(quarterly_return=quarterly_return, user=user)
    return f"Return signed off: version {sign_off.number} is now the official position for {period.label}."


def _reopen(quarterly_return, user, period, data):
    services.return_reopen(quarterly_return=quarterly_return, user=user, reason=data["reason"])
    return "Return reopened. The signed-off version is kept, superseded."


def _assure(quarterly_return, user, period, data):
    opinion = services.return_assure(quarterly_return=quarterly_return, user=user, **data)
    opinion = Assurance(opinion.opinion)
    return (
        "No assurance: the opinion is recorded."
        if opinion == Assurance.NONE
        else f"{opinion.label} assurance recorded."
    )


def _challenge(quarterly_return, user, period, data):
    challenge = services.challenge_raise(quarterly_return=quarterly_return, user=user, **data)
    return f"{challenge.recommendation.code} challenged: the ICS is asked to answer."


# The URL's action: (the service call, the permission it needs, the form it takes, if any).
ACTIONS = {
    "submit": (_submit, "submit", None),
    "withdraw": (_withdraw, "withdraw", None),
    "sign-off": (_sign_off, "sign_off", None),
    "reopen": (_reopen, "reopen", "reason"),
    "assure": (_assure, "assure", "assure"),
    "challenge": (_challenge, "challenge", "challenge"),
}


def _action_form(name: str, data):
    if name == "reason":
        return ReasonForm(data)
    if name == "assure":
        return AssureForm(data)
    return ChallengeForm(data, items=Recommendation.objects.trackable().in_source_order())


@permissions.role_required
@require_POST
def return_action(request, ods_code, period, action):
    """Every action on a return, by the same services as the API: refused by role (403) or by the rules (409, the
    page again with what stands in the way); a form in error is the page again with its errors (400)."""
    if action not in ACTIONS:
        raise Http404("No such action.")
    perform, needs, form_name = ACTIONS[action]
    system = permissions.get_system_for_user(request.user, ods_code)
    period = _period(period)
    quarterly_return = _the_return(system, period)
    permissions.check_return_action(request.user, quarterly_return, needs)
    form = _action_form(form_name, request.POST) if form_name else None
    if form is not None and not form.is_valid():
        return _return_page(request, system, period, forms={form_name: form}, status=400)
    try:
        done = perform(quarterly_return, request.user, period, form.cleaned_data if form else {})
    except services.ReturnRefused as refused:
        return _return_page(request, system, period, refused=refused, status=409)
    except ValidationError as error:
        if form is None:
            raise
        form.add_error(None, error)
        return _return_page(request, system, period, forms={form_name: form}, status=400)
    messages.success(request, done)
    return redirect("tracker:return", ods_code=system.ods_code, period=period.code)


@permissions.role_required
@require_POST
def challenge_answer(request, pk):
    challenge = get_object_or_404(Challenge.objects.for_user(request.user).select_related("quarterly_return"), pk=pk)
    quarterly_return = challenge.quarterly_return
    system, period = quarterly_return.system, quarterly_return.reporting_period
    form = AnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors)
        services.challenge_answer(challenge=challenge, user=request.user, answer=form.cleaned_data["answer"])
    except services.ReturnRefused as refused:
        return _return_page(request, system, period, refused=refused, status=409)
    except ValidationError:
        permissions.check_return_action(request.user, quarterly_return, "answer")
        missing = services.ReturnRefused(f"Enter your answer to the challenge on {challenge.recommendation.code}.")
        return _return_page(request, system, period, refused=missing, status=400)
    else:
        messages.success(request, f"Your answer on {challenge.recommendation.code} is recorded.")
    return redirect("tracker:return", ods_code=system.ods_code, period=period.code)


def recent_periods() -> list[ReportingPeriod]:
    """The periods the returns page shows (and offers to publish), newest first."""
    return list(reversed(ReportingPeriod.all_until()[-RECENT_PERIODS:]))


@permissions.role_required
def returns_overview(request):
    """Every system's returns for the recent periods: state, late, assurance, open challenges. For the national team
    (every system) and regional reviewers (their region); CSV and XLSX, one row per system and period."""
    return overview_page(request)


def overview_page(request, *, publish_form=None, refused=None, status=200):
    """The returns page, or its export; with the national team's publish form (and what refused it, if it was)."""
    if not (permissions.is_national(request.user) or permissions.is_reviewer(request.user)):
        raise PermissionDenied("The returns of every system are for the national team and regional reviewers.")
    periods = recent_periods()
    filterset = QuarterlyReturnFilterSet(request.GET or None, queryset=selectors.returns_for(request.user))
    returns = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    returns = returns.filter(period__in=[p.code for p in periods])
    export = requested_format(request)
    if export and request.method == "GET":
        header = ["period", "ods_code", "system", "region", "state", "due_on", "late", "signed_off_at"]
        header += ["assurance", "open_challenges", "position_source", "is_demo"]
        rows = [
            [
                r.period,
                r.system.ods_code,
                r.system.short_name,
                r.system.region.name,
                r.state,
                r.due_on,
                r.is_late,
                r.sign_off.signed_off_at if r.sign_off else None,
                r.assurance or "",
                r.open_challenges,
                PositionSource.SIGNED_OFF if r.sign_off_id else PositionSource.HISTORY,
                r.is_demo,
            ]
            for r in returns
        ]
        return table_response("returns", export, header, rows)
    grid = selectors.returns_grid(returns, periods)
    can_publish = permissions.can_publish_open_data(request.user)
    if can_publish and publish_form is None:
        publish_form = PublishOpenDataForm(periods=periods, initial={"period": periods[min(1, len(periods) - 1)].code})
    return render(
        request,
        "tracker/returns/overview.html",
        {
            "filterset": filterset,
            "periods": periods,
            "grid": grid,
            "query": request.GET.urlencode(),
            "publish_form": publish_form if can_publish else None,
            "refused": refused,
        },
        status=status,
    )


@permissions.role_required
@require_POST
def record_confirm(request, ods_code, code):
    """ "No change this period": a history entry of its own, against the version the editor saw."""
    system = permissions.get_system_for_user(request.user, ods_code, write=True)
    record = get_object_or_404(system.records.select_related("recommendation"), recommendation__code=code)
    version = request.POST.get("version", "")
    try:
        services.record_reconfirm(
            record=record, expected_version=int(version) if version.isdigit() else -1, user=request.user
        )
    except services.StaleRecordError as error:
        messages.error(request, str(error))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{code}: confirmed, no change this period.")
    return redirect(record.get_absolute_url())
