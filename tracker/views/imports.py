"""A whole return in a spreadsheet: the prefilled workbook, and importing it (upload, preview, confirm)."""

import uuid

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from .. import imports, permissions, services
from ..exports import download_response
from ..forms import ImportForm
from ..periods import ReportingPeriod
from . import records


@permissions.role_required
def return_workbook(request, ods_code, export_format):
    """The ICS's prefilled return, for anyone who may read the ICS (only its editors may import it)."""
    system = permissions.get_system_for_user(request.user, ods_code)
    content = imports.workbook_for(system) if export_format == "xlsx" else imports.csv_for(system)
    filename = f"{system.ods_code}-return-{ReportingPeriod.current().code}"
    return download_response(filename, export_format, content)


def _pending_key(system) -> str:
    return f"return-import:{system.ods_code}"


# Never kept by the browser: Back after confirming must not offer the same preview to confirm again.
@never_cache
@permissions.role_required
def return_import(request, ods_code):
    """Upload → preview of every change (nothing written) → confirm. The rows read from the upload wait in the
    session, never in the page: confirming checks them again against the records as they are then."""
    system = permissions.get_system_for_user(request.user, ods_code, write=True)
    form = ImportForm()
    context = {"system": system, "form": form, "problems": [], "preview": None}
    status = 200
    if request.method == "POST" and request.POST.get("token"):
        pending = request.session.get(_pending_key(system))
        if not pending or pending["token"] != request.POST["token"]:
            messages.error(request, "That preview is no longer current: upload the workbook again.")
            return redirect("tracker:return_import", ods_code=system.ods_code)
        try:
            applied = services.return_import(system=system, raw=pending["raw"], user=request.user)
        except services.ImportConflict as conflict:
            context["preview"], status = _shown(conflict.preview), 409
        except imports.ImportRefused as refused:
            del request.session[_pending_key(system)]
            context["problems"] = refused.problems
            form.add_error(None, "The file can no longer be applied as it is; nothing was changed.")
        else:
            del request.session[_pending_key(system)]
            count = len(applied.changes)
            messages.success(request, f"{count} record{'s' if count != 1 else ''} updated from the workbook.")
            return redirect("tracker:system_history", ods_code=system.ods_code)
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            parsed = imports.parse_return(upload, system)
            preview = imports.import_preview(parsed)
            if preview.errors:
                _refused(form, preview.errors, context)
            else:
                context["preview"] = _shown(preview)
                context["file_name"] = upload.name
                status = 409 if preview.conflicts else 200
                if preview.changes and not preview.conflicts:
                    context["token"] = uuid.uuid4().hex
                    request.session[_pending_key(system)] = {"token": context["token"], "raw": parsed.raw}
    return render(request, "tracker/imports/import.html", context, status=status)


def _shown(preview):
    """Dates in the preview as every page shows them ("30 September 2027"); the API keeps them ISO."""
    for row in [*preview.changes, *preview.conflicts]:
        for change in row.fields:
            change.before = records.shown_value(change.label, change.before)
            change.after = records.shown_value(change.label, change.after)
    for conflict in preview.conflicts:
        records.with_shown_changes(conflict.theirs)
    return preview


def _refused(form, problems, context):
    """A file refused outright says why beside the field; problems in its rows are listed in a table."""
    if len(problems) == 1 and problems[0].row is None:
        form.add_error("file", problems[0].message)
        return
    several = len(problems) != 1
    form.add_error(
        "file",
        f"The file has {len(problems)} problem{'s' if several else ''}, listed below. "
        f"Nothing was changed: correct {'them' if several else 'it'} and upload the file again.",
    )
    context["problems"] = problems
