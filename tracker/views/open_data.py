"""Open data: the public pages and files of published quarters (no sign-in), and the national team's publish action.

Files are served as published, byte for byte: public and cacheable by anyone (the same bytes for everyone), with a
strong ETag from their sha256 checksum. A numbered version never changes, so it is cached for a year; the latest
(unnumbered) address moves when a correction is published, so it is revalidated.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags
from django.views.decorators.http import require_POST, require_safe

from .. import permissions, selectors, services
from ..choices import Status
from ..forms import PublishOpenDataForm
from ..models import PublishedFile
from ..periods import ReportingPeriod
from ..services.open_data import DEMO_NOTE, FILES, FORMULA_NOTE, LICENCE, PROGRESS_FIELDS

LATEST_MAX_AGE = 300
VERSION_MAX_AGE = 365 * 24 * 3600


def _cacheable(response, *, versioned: bool, same_for_everyone: bool = False):
    patch_cache_control(response, public=True, max_age=VERSION_MAX_AGE if versioned else LATEST_MAX_AGE)
    if versioned and same_for_everyone:
        patch_cache_control(response, immutable=True)
    # A file is the same bytes for everyone: config.middleware keeps it public even when a signed-in user asks. A
    # page names whoever is signed in, so it stays private to them.
    response.public_file = same_for_everyone
    return response


@require_safe
def open_data_list(request):
    datasets = list(selectors.published_datasets())
    periods = {}
    for dataset in datasets:
        periods.setdefault(dataset.period, []).append(dataset)
    listed = [(ReportingPeriod.from_code(period), versions) for period, versions in periods.items()]
    return render(request, "tracker/open_data/list.html", {"periods": listed, "licence": LICENCE})


@require_safe
def open_data_period(request, period, version=None):
    dataset = selectors.published_dataset(period, version)
    if dataset is None:
        raise Http404("That period, or that version of it, is not published.")
    files = PublishedFile.objects.filter(dataset=dataset).defer("content").order_by("name")
    context = {
        "dataset": dataset,
        "period": ReportingPeriod.from_code(dataset.period),
        "versions": list(selectors.published_datasets().filter(period=dataset.period)),
        "files": files,
        "summary": selectors.published_summary(dataset),
        "dictionary": PROGRESS_FIELDS,
        "statuses": list(Status),
        "licence": LICENCE,
        "demo_note": DEMO_NOTE,
        "formula_note": FORMULA_NOTE,
        "is_latest_page": version is None,
    }
    if dataset.is_demo:
        context["demo_data_shown"] = True
    return _cacheable(render(request, "tracker/open_data/period.html", context), versioned=False)


@require_safe
def open_data_file(request, period, name, version=None):
    if name not in FILES:
        raise Http404("No such file.")
    if_none_match = request.headers.get("If-None-Match", "")
    # One query either way: a client that holds a copy is answered without reading the bytes.
    published = selectors.published_file(period, name, version, with_content=not if_none_match)
    if published is None:
        raise Http404("That period, or that version of it, is not published.")
    asked_for = {tag.removeprefix("W/") for tag in parse_etags(if_none_match)}
    if published.etag in asked_for or "*" in asked_for:  # If-None-Match compares weakly
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(bytes(published.content), content_type=published.media_type)
    response["ETag"] = published.etag
    response["X-Dataset-Version"] = str(published.dataset.version)
    return _cacheable(response, versioned=version is not None, same_for_everyone=True)


@permissions.national_required
@require_POST
def open_data_publish(request):
    """The publish button of the national returns page: the same service as the API."""
    from .returns import overview_page, recent_periods

    form = PublishOpenDataForm(request.POST, periods=recent_periods())
    if not form.is_valid():
        return overview_page(request, publish_form=form, status=400)
    period = form.cleaned_data["period"]
    try:
        dataset = services.open_data_publish(period=period, user=request.user, note=form.cleaned_data["note"])
    except services.OpenDataRefused as refused:
        return overview_page(request, publish_form=form, refused=refused, status=409)
    except ValidationError as error:
        form.add_error(None, error)
        return overview_page(request, publish_form=form, status=400)
    messages.success(request, f"{period.label} published as open data: version {dataset.version}.")
    return redirect("tracker:open_data_period", period=dataset.period)
