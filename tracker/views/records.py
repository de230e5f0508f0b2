from itertools import groupby

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

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
from ..models import Evidence, IntegratedCareSystem, ProgressRecord


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
            "history": record.history.all(),
            "can_edit": permissions.can_edit_system(request.user, system),
        },
    )


@permissions.role_required
def record_edit(request, ods_code, code):
    system = permissions.get_system_for_user(request.user, ods_code, write=True)
    record = _record(system, code)
    item = record.recommendation
    form = ProgressRecordForm(
        request.POST or None, initial={**record.tracked_values(), "version": record.version}, system=system
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
            # Keep what they typed, but let a deliberate second save go ahead against the version now shown.
            form = ProgressRecordForm({**request.POST.dict(), "version": error.record.version}, system=system)
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
    return render(request, "tracker/system_history.html", {"system": system, "page": page})


@permissions.role_required
def people(request, ods_code):
    write = request.method == "POST"
    system = permissions.get_system_for_user(request.user, ods_code, write=write)
    form = PersonForm(request.POST or None, system=system)
    if write and form.is_valid():
        person = form.save(commit=False)
        person.system = system
        person.save()
        messages.success(request, f"{person.name} added.")
        return redirect("tracker:people", ods_code=system.ods_code)
    return render(
        request,
        "tracker/people.html",
        {
            "system": system,
            "people": system.people.all(),
            "form": form,
            "can_edit": permissions.can_edit_system(request.user, system),
        },
    )


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
