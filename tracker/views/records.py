import datetime
from itertools import groupby

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateformat import format as format_date
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .. import people as people_service
from .. import permissions, selectors, services
from ..exports import evidence_file
from ..filtersets import IntegratedCareSystemFilterSet
from ..forms import (
    EvidenceForm,
    PersonForm,
    ProgressRecordForm,
    StartFromPredecessorForm,
    WithdrawEvidenceForm,
)
from ..models import Evidence, IntegratedCareSystem, Person, ProgressRecord

# History rows keep what was shown when they were written; dates in them are stored as ISO (2027-03-31) and shown
# here the way every other page shows a date.
DATE_LABELS = {ProgressRecord.TRACKED_FIELDS["target_date"]}
DATE_FORMAT = "j F Y"


def shown_value(label, value):
    if label in DATE_LABELS and isinstance(value, str):
        try:
            return format_date(datetime.date.fromisoformat(value), DATE_FORMAT)
        except ValueError:
            return value
    return value


def with_shown_changes(changes):
    """Give each history row `shown_changes`: (label, before, after), with dates in the "9 October 2024" style.
    The stored history is not touched."""
    changes = list(changes)
    for change in changes:
        change.shown_changes = [
            (label, shown_value(label, values[0]), shown_value(label, values[1]))
            for label, values in change.changes.items()
        ]
    return changes


def system_list(request):
    """The ICS register by region, with predecessors and successors (public)."""
    systems = selectors.with_successions(IntegratedCareSystem.objects.select_related("region"))
    filterset = IntegratedCareSystemFilterSet(request.GET or None, queryset=systems)
    results = filterset.qs if filterset.is_bound and filterset.is_valid() else systems
    regions = [(region, list(in_region)) for region, in_region in groupby(results, key=lambda s: s.region)]
    return render(
        request,
        "tracker/system_list.html",
        {"filterset": filterset, "regions": regions, "result_count": sum(len(r[1]) for r in regions)},
    )


def system_detail(request, ods_code):
    """A system's register entry (public) and, for those allowed, its progress against every trackable item."""
    system = get_object_or_404(
        selectors.with_successions(IntegratedCareSystem.objects.select_related("region")), ods_code=ods_code
    )
    can_view = permissions.can_view_system(request.user, system)
    can_edit = permissions.can_edit_system(request.user, system)
    predecessors = list(system.succeeded_from.all())
    return render(
        request,
        "tracker/system_detail.html",
        {
            "system": system,
            "predecessors": predecessors,
            "successors": system.succeeded_by.all(),
            "can_view": can_view,
            "can_edit": can_edit,
            "can_view_team": permissions.can_view_team(request.user, system),
            "progress": selectors.system_progress(system) if can_view else None,
            "start_form": StartFromPredecessorForm(successor=system) if can_edit and predecessors else None,
            "returns_due": selectors.returns_on_system_page(system) if can_view else [],
        },
    )


def _record(system, code) -> ProgressRecord:
    """The system's record for a trackable item; 404 for national advice or an unknown code."""
    return get_object_or_404(
        ProgressRecord.objects.select_related(
            "recommendation__publication", "recommendation__theme", "accountable_owner", "delivery_lead"
        ),
        system=system,
        recommendation__code=code,
    )


@permissions.role_required
def record_detail(request, ods_code, code):
    system = permissions.get_system_for_user(request.user, ods_code)
    record = _record(system, code)
    return render(
        request,
        "tracker/record_detail.html",
        {
            "system": system,
            "record": record,
            "item": record.recommendation,
            "evidence": selectors.record_evidence(record),
            "history": with_shown_changes(record.history.all()),
            "can_edit": permissions.can_edit_system(request.user, system),
        },
    )


# Never kept by the browser: Back after a save must fetch the record as it now is (version and all), not show the
# form as it was with the reason just used, which a later save would put into the history again.
@never_cache
@permissions.role_required
def record_edit(request, ods_code, code):
    system = permissions.get_system_for_user(request.user, ods_code, write=True)
    record = _record(system, code)
    item = record.recommendation
    form = ProgressRecordForm(
        request.POST or None,
        initial={**record.tracked_values(), "version": record.version},
        system=system,
        record=record,
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_update(
                record=record,
                changes={field: data[field] for field in ProgressRecord.TRACKED_FIELDS},
                expected_version=data["version"],
                user=request.user,
                reason=data["reason"],
            )
        except services.StaleRecordError as error:
            conflict = error
            with_shown_changes(error.changes_since)
            # Keep what they typed, but let a deliberate second save go ahead against the version now shown.
            form = ProgressRecordForm(
                {**request.POST.dict(), "version": error.record.version}, system=system, record=error.record
            )
            form.is_valid()
            record = error.record
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{item.code} saved.")
            return redirect("tracker:record", ods_code=system.ods_code, code=item.code)
    return render(
        request,
        "tracker/record_form.html",
        {"system": system, "item": item, "record": record, "form": form, "conflict": conflict},
        status=409 if conflict else 200,
    )


@permissions.role_required
def evidence_add(request, ods_code, code):
    system = permissions.get_system_for_user(request.user, ods_code, write=True)
    record = _record(system, code)
    item = record.recommendation
    form = EvidenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.evidence_add(record=record, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Evidence added.")
            return redirect("tracker:record", ods_code=system.ods_code, code=item.code)
    return render(request, "tracker/evidence_form.html", {"system": system, "item": item, "form": form})


def _evidence_for_editor(request, pk) -> Evidence:
    evidence = get_object_or_404(Evidence.objects.select_related("record__system", "record__recommendation"), pk=pk)
    permissions.get_system_for_user(request.user, evidence.record.system.ods_code, write=True)
    return evidence


@permissions.role_required
def evidence_withdraw(request, pk):
    evidence = _evidence_for_editor(request, pk)
    form = WithdrawEvidenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.evidence_withdraw(evidence=evidence, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"“{evidence.title}” withdrawn.")
            return redirect(evidence.record.get_absolute_url())
    return render(request, "tracker/evidence_withdraw.html", {"evidence": evidence, "form": form})


@permissions.role_required
def evidence_download(request, pk):
    """Uploaded files go only to those who may see the evidence, and always as a download."""
    evidence = get_object_or_404(Evidence.objects.for_user(request.user), pk=pk)
    if not evidence.file:
        raise Http404("This evidence is a link, not a file.")
    return evidence_file(evidence)


@permissions.role_required
def system_history(request, ods_code):
    system = permissions.get_system_for_user(request.user, ods_code)
    page = Paginator(selectors.system_history(system), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "tracker/system_history.html",
        {"system": system, "page": page, "changes": with_shown_changes(page.object_list)},
    )


@permissions.role_required
def people(request, ods_code):
    """The people a system names as owners; its editors add them here."""
    write = request.method == "POST"
    system = permissions.get_system_for_user(request.user, ods_code, write=write)
    form = PersonForm(request.POST or None, system=system)
    if write and form.is_valid():
        person = people_service.person_add(system=system, **form.cleaned_data)
        messages.success(request, f"{person.name} added.")
        return redirect("tracker:people", ods_code=system.ods_code)
    everyone = list(system.people.all())
    return render(
        request,
        "tracker/people.html",
        {
            "system": system,
            "people": [p for p in everyone if not p.is_retired],
            "retired": [p for p in everyone if p.is_retired],
            "form": form,
            "can_edit": permissions.can_edit_system(request.user, system),
        },
    )


def _person_for_editor(request, ods_code, pk) -> tuple[IntegratedCareSystem, Person]:
    system = permissions.get_system_for_user(request.user, ods_code, write=True)
    return system, get_object_or_404(Person, pk=pk, system=system)


@permissions.role_required
def person_edit(request, ods_code, pk):
    """Correct a person's name, job title or email, or retire them."""
    system, person = _person_for_editor(request, ods_code, pk)
    form = PersonForm(request.POST or None, instance=person, system=system)
    if request.method == "POST" and form.is_valid():
        try:
            person = people_service.person_update(person=person, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{person.name}'s details saved.")
            return redirect("tracker:people", ods_code=system.ods_code)
    return render(request, "tracker/person_form.html", {"system": system, "person": person, "form": form})


@permissions.role_required
@require_POST
def person_retire(request, ods_code, pk):
    system, person = _person_for_editor(request, ods_code, pk)
    person = people_service.person_retire(person=person)
    messages.success(
        request, f"{person.name} retired: no longer offered as an owner, and still named on their past records."
    )
    return redirect("tracker:people", ods_code=system.ods_code)


@permissions.role_required
@require_POST
def person_reinstate(request, ods_code, pk):
    system, person = _person_for_editor(request, ods_code, pk)
    person = people_service.person_reinstate(person=person)
    messages.success(request, f"{person.name} can be named as an owner again.")
    return redirect("tracker:people", ods_code=system.ods_code)


@permissions.role_required
@require_POST
def start_from_predecessor(request, ods_code):
    system = permissions.get_system_for_user(request.user, ods_code, write=True)
    form = StartFromPredecessorForm(request.POST, successor=system)
    if not form.is_valid():
        messages.error(request, "Choose one of this ICB's predecessors.")
        return redirect(system)
    predecessor = form.cleaned_data["predecessor"]
    count = services.records_start_from_predecessor(successor=system, predecessor=predecessor, user=request.user)
    messages.success(
        request, f"{count} record{'s' if count != 1 else ''} started from {predecessor.short_name}'s position."
    )
    return redirect(system)
