"""Open data: publishing a signed-off quarter, the public pages and files, versions, and the data package as its
users will validate it (frictionless) and read it (the csv module)."""

import csv
import hashlib
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from conftest import make_user
from tests.factories import update
from tests.tracker.test_returns import NOW, make_ready, the_return
from tracker import services
from tracker.models import ApiToken, Position, PublishedDataset, PublishedFile
from tracker.selectors import footprint

pytestmark = pytest.mark.django_db
FILES = ["progress.csv", "progress.json", "catalogue.csv", "register.csv", "datapackage.json"]


@pytest.fixture
def signed_off(alice, april, west_yorkshire):
    make_ready(west_yorkshire, alice)
    services.return_submit(quarterly_return=the_return(), user=alice)
    services.return_sign_off(quarterly_return=the_return(), user=april)
    return the_return()


@pytest.fixture
def published(signed_off, nadia):
    return services.open_data_publish(period=NOW, user=nadia, note="")


def api_for(user=None):
    if user is None:
        return APIClient()
    _, key = ApiToken.issue(user, "tests")
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}")


def file_bytes(dataset, name) -> bytes:
    return bytes(PublishedFile.objects.get(dataset=dataset, name=name).content)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_published_package_is_valid_for_frictionless_with_keys_into_the_catalogue_and_register(published, tmp_path):
    import frictionless

    for name in FILES:
        (tmp_path / name).write_bytes(file_bytes(published, name))
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    # As its users will check it: `frictionless validate datapackage.json` in the downloaded folder.
    command = [str(Path(sys.executable).parent / "frictionless"), "validate", "datapackage.json"]
    assert subprocess.run(command, cwd=tmp_path, capture_output=True).returncode == 0
    descriptor = json.loads((tmp_path / "datapackage.json").read_text())
    assert descriptor["licenses"][0]["name"] == "OGL-UK-3.0"
    progress = next(r for r in descriptor["resources"] if r["name"] == "progress")
    assert {fk["reference"]["resource"] for fk in progress["schema"]["foreignKeys"]} == {"catalogue", "register"}
    status = next(f for f in progress["schema"]["fields"] if f["name"] == "status")
    assert status["constraints"]["enum"] == ["not_assessed", "red", "amber", "green", "blue", "not_applicable"]
    for resource in descriptor["resources"]:  # every file's checksum, as published
        assert resource["hash"] == "sha256:" + hashlib.sha256(file_bytes(published, resource["path"])).hexdigest()


def test_frictionless_finds_a_row_that_breaks_the_schema(published, tmp_path):
    import frictionless

    for name in FILES:
        (tmp_path / name).write_bytes(file_bytes(published, name))
    descriptor = json.loads((tmp_path / "datapackage.json").read_text())
    for resource in descriptor["resources"]:
        resource.pop("hash"), resource.pop("bytes", None)
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor))
    text = (tmp_path / "progress.csv").read_text().replace(",amber,", ",purple,", 1)
    (tmp_path / "progress.csv").write_text(text)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert not report.valid
    assert "constraint-error" in {error.type for task in report.tasks for error in task.errors}


def test_progress_csv_read_back_is_every_frozen_position_and_not_signed_off_for_the_rest(
    published, alice, west_yorkshire
):
    # Records live on after sign-off: the published data is the frozen position, not the record.
    update(west_yorkshire, "NHSCC-4", alice, status="blue", reason="Done since")
    rows = list(csv.DictReader(io.StringIO(file_bytes(published, "progress.csv").decode())))

    sign_off = the_return().sign_off
    expected = {
        p.recommendation.code: {
            "period": NOW.code,
            "ods_code": "QWO",
            "recommendation": p.recommendation.code,
            "signed_off": "true",
            "sign_off_version": str(sign_off.number),
            "signed_off_on": timezone.localdate(sign_off.signed_off_at).isoformat(),
            "status": p.status,
            "target_date": p.target_date.isoformat() if p.target_date else "",
            "original_target_date": p.original_target_date.isoformat() if p.original_target_date else "",
            "summary": p.summary,
            "last_reason": p.last_reason,
            "evidence_items": str(len(p.evidence)),
            "is_demo": "false",
        }
        for p in Position.objects.filter(sign_off=sign_off).select_related("recommendation")
    }
    assert {row["recommendation"]: row for row in rows if row["ods_code"] == "QWO"} == expected
    assert expected["NHSCC-4"]["status"] == "amber"
    others = [row for row in rows if row["ods_code"] != "QWO"]
    assert {row["ods_code"] for row in others} == set(
        footprint(NOW).exclude(ods_code="QWO").values_list("ods_code", flat=True)
    )
    assert len(others) == 35 * len(expected)
    blank = ("sign_off_version", "signed_off_on", "status", "target_date", "summary", "evidence_items")
    assert all(row["signed_off"] == "false" and not any(row[name] for name in blank) for row in others)
    assert published.signed_off_systems == 1 and published.footprint_systems == 36
    as_json = json.loads(file_bytes(published, "progress.json"))
    assert [(r["ods_code"], r["recommendation"], r["status"]) for r in as_json] == [
        (r["ods_code"], r["recommendation"], r["status"] or None) for r in rows
    ]


def test_no_owner_name_or_email_is_ever_published(published):
    owner = Position.objects.filter(sign_off=the_return().sign_off).first()
    assert (owner.accountable_owner, owner.accountable_owner_email) == ("Priya Shah", "priya@qwo.example.invalid")
    for name in FILES:
        text = file_bytes(published, name).decode()
        assert "Priya" not in text and "example.invalid" not in text and "owner" not in text.lower(), name


def test_a_period_with_no_signed_off_return_is_refused_and_nothing_is_published(signed_off, client, nadia):
    services.return_reopen(quarterly_return=signed_off, user=nadia, reason="Recount")  # no sign-off in force now
    response = api_for(nadia).post("/api/v1/open-data/", {"period": NOW.code}, format="json")
    assert response.status_code == 409
    assert "No return for" in response.json()["detail"]
    client.force_login(nadia)
    page = client.post(reverse("tracker:open_data_publish"), {"period": NOW.code, "confirm": "on"})
    assert page.status_code == 409 and "nothing official to publish" in page.content.decode()
    assert not PublishedDataset.objects.exists()


def test_the_national_team_publishes_through_the_api_and_gets_the_file_urls(signed_off, nadia):
    response = api_for(nadia).post("/api/v1/open-data/", {"period": NOW.code, "note": ""}, format="json")
    assert response.status_code == 201
    data = response.json()
    assert (data["period"], data["version"]) == (NOW.code, 1)
    assert data["files"]["progress.csv"].endswith(f"/open-data/{NOW.code}/v1/progress.csv")
    assert set(data["files"]) == set(FILES)
    listed = api_for().get("/api/v1/open-data/").json()  # public: no sign-in needed to see what is published
    assert [(d["period"], d["version"]) for d in listed["results"]] == [(NOW.code, 1)]


@pytest.mark.parametrize("who", ["alice", "april", "rita", "bob"])
def test_nobody_but_the_national_team_publishes(signed_off, client, request, who):
    user = request.getfixturevalue(who)
    assert api_for(user).post("/api/v1/open-data/", {"period": NOW.code}, format="json").status_code == 403
    client.force_login(user)
    assert client.post(reverse("tracker:open_data_publish"), {"period": NOW.code, "confirm": "on"}).status_code == 403
    assert "Publish a quarter" not in client.get(reverse("tracker:returns")).content.decode()
    assert not PublishedDataset.objects.exists()


def test_an_anonymous_publish_is_refused(signed_off, client):
    assert api_for().post("/api/v1/open-data/", {"period": NOW.code}, format="json").status_code == 401
    assert client.post(reverse("tracker:open_data_publish"), {"period": NOW.code, "confirm": "on"}).status_code == 302
    assert not PublishedDataset.objects.exists()


def test_bad_input_to_publish_is_a_400_naming_the_field(signed_off, nadia):
    api = api_for(nadia)
    assert "period" in api.post("/api/v1/open-data/", {"period": "2026-Q9"}, format="json").json()
    assert "colour" in api.post("/api/v1/open-data/", {"period": NOW.code, "colour": "x"}, format="json").json()
    assert not PublishedDataset.objects.exists()


def test_publishing_from_the_returns_page_needs_confirmation_then_shows_the_public_page(signed_off, client, nadia):
    client.force_login(nadia)
    page = client.get(reverse("tracker:returns")).content.decode()
    assert "Publish as open data" in page and 'name="csrfmiddlewaretoken"' in page
    unconfirmed = client.post(reverse("tracker:open_data_publish"), {"period": NOW.code})
    assert unconfirmed.status_code == 400 and "Confirm that the period may be published" in unconfirmed.content.decode()
    assert not PublishedDataset.objects.exists()
    done = client.post(reverse("tracker:open_data_publish"), {"period": NOW.code, "confirm": "on"}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("tracker:open_data_period", args=[NOW.code])
    assert f"{NOW.label} published as open data: version 1." in done.content.decode()


def test_a_correction_is_version_2_with_its_note_and_version_1_never_changes(published, nadia, charlie):
    before = {name: file_bytes(published, name) for name in FILES}
    with pytest.raises(Exception, match="Say what this correction corrects"):
        services.open_data_publish(period=NOW, user=nadia, note=" ")
    # Greater Manchester signs off late; the national team publishes a correction that includes it.
    make_ready(charlie.membership.system, charlie)
    services.return_submit(quarterly_return=the_return("QOP"), user=charlie)
    services.return_sign_off(quarterly_return=the_return("QOP"), user=make_user("olga", "approver", "QOP"))
    corrected = services.open_data_publish(period=NOW, user=nadia, note="Greater Manchester signed off late")

    assert (corrected.version, corrected.signed_off_systems) == (2, 2)
    assert {name: file_bytes(published, name) for name in FILES} == before
    rows = list(csv.DictReader(io.StringIO(file_bytes(corrected, "progress.csv").decode())))
    assert {row["ods_code"] for row in rows if row["signed_off"] == "true"} == {"QWO", "QOP"}
    assert json.loads(file_bytes(corrected, "datapackage.json"))["versionNote"] == "Greater Manchester signed off late"
    with pytest.raises(TypeError):
        published.save()
    with pytest.raises(TypeError):
        PublishedFile.objects.filter(dataset=published).update(content=b"")
    with pytest.raises(TypeError):
        published.delete()


def test_anyone_reads_the_public_pages_with_the_chart_its_text_and_the_table(published, client):
    listing = client.get(reverse("tracker:open_data"))
    assert listing.status_code == 200 and NOW.label in listing.content.decode()
    page = client.get(reverse("tracker:open_data_period", args=[NOW.code]))
    html = page.content.decode()
    assert page.status_code == 200 and "public" in page["Cache-Control"]
    assert 'role="img"' in html and '<title id="chart-title">' in html and '<desc id="chart-desc">' in html
    amber = sum(1 for p in Position.objects.filter(sign_off=the_return().sign_off) if p.status == "amber")
    assert f"Amber: {amber} (" in html and "Not signed off: " in html
    assert "The chart's figures" in html and "Open Government Licence v3.0" in html
    for name in ("progress.csv", "progress.json", "datapackage.json"):
        assert f'href="/open-data/{NOW.code}/{name}"' in html
    assert "style=" not in html  # the Content-Security-Policy allows no style attribute
    assert "Priya" not in html


def test_files_are_served_public_with_a_strong_etag_and_304_when_unchanged(published, client, nadia):
    url = reverse("tracker:open_data_file", args=[NOW.code, "progress.csv"])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    digest = hashlib.sha256(body(response)).hexdigest()
    assert response["ETag"] == f'"{digest}"' and "public" in response["Cache-Control"]
    assert client.get(url, HTTP_IF_NONE_MATCH=f'"{digest}"').status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200
    client.force_login(nadia)  # the same bytes for everyone: still public when signed in
    assert "public" in client.get(url)["Cache-Control"]
    versioned = client.get(reverse("tracker:open_data_version_file", args=[NOW.code, 1, "datapackage.json"]))
    assert versioned["Content-Type"] == "application/json" and "immutable" in versioned["Cache-Control"]


def test_each_version_keeps_its_address_and_the_latest_moves_to_the_correction(published, client, nadia):
    services.open_data_publish(period=NOW, user=nadia, note="Counted again")
    v1 = client.get(reverse("tracker:open_data_version_file", args=[NOW.code, 1, "progress.json"]))
    latest = client.get(reverse("tracker:open_data_file", args=[NOW.code, "progress.json"]))
    assert body(v1) == file_bytes(published, "progress.json")
    assert latest["X-Dataset-Version"] == "2"
    page = client.get(reverse("tracker:open_data_period", args=[NOW.code])).content.decode()
    assert "Counted again" in page and "Version 1" in page
    old = client.get(reverse("tracker:open_data_version", args=[NOW.code, 1])).content.decode()
    assert "A later version replaces this one" in old
    versions = api_for().get("/api/v1/open-data/").json()["results"]
    assert [(d["version"], d["note"]) for d in versions] == [(2, "Counted again"), (1, "")]


def test_unpublished_periods_versions_and_files_are_404(published, client):
    assert client.get(reverse("tracker:open_data_period", args=["2023-24-Q1"])).status_code == 404
    assert client.get(reverse("tracker:open_data_version", args=[NOW.code, 9])).status_code == 404
    assert client.get(reverse("tracker:open_data_file", args=[NOW.code, "secrets.csv"])).status_code == 404


def test_the_open_data_list_filters_by_period_and_latest_version(published, nadia):
    services.open_data_publish(period=NOW, user=nadia, note="Counted again")
    api = api_for()
    assert [d["version"] for d in api.get("/api/v1/open-data/", {"latest": "true"}).json()["results"]] == [2]
    assert [d["version"] for d in api.get("/api/v1/open-data/", {"latest": "false"}).json()["results"]] == [1]
    assert len(api.get("/api/v1/open-data/", {"period": NOW.code}).json()["results"]) == 2
    assert api.get("/api/v1/open-data/", {"period": NOW.previous.code}).json()["results"] == []
    assert api.get("/api/v1/open-data/", {"period": "Q9"}).status_code == 400
    assert api.get("/api/v1/open-data/", {"latest": "maybe"}).status_code == 400


def test_the_admin_shows_who_published_each_version_and_changes_nothing(published, client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("root", "root@example.invalid", "x"))
    listing = client.get("/admin/tracker/publisheddataset/")
    assert listing.status_code == 200 and "Nadia Tester" in listing.content.decode()
    assert client.post(f"/admin/tracker/publisheddataset/{published.pk}/delete/", {"post": "yes"}).status_code == 403
    assert PublishedDataset.objects.filter(pk=published.pk).exists()


def test_a_file_is_one_query_and_a_revalidation_does_not_read_its_bytes(published, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def selects(**headers):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("tracker:open_data_file", args=[NOW.code, "progress.csv"]), **headers)
        return response, [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]

    response, [read] = selects()
    assert '"content"' in read
    not_modified, [revalidated] = selects(HTTP_IF_NONE_MATCH=response["ETag"])
    assert not_modified.status_code == 304 and '"content"' not in revalidated


def test_the_returns_page_title_is_its_name_not_its_publish_form(client, nadia):
    client.force_login(nadia)
    html = client.get(reverse("tracker:returns")).content.decode()
    assert re.search(r"<title>(.*?)</title>", html, re.S).group(1) == "Quarterly returns – ICS legacy tracker"
    assert 'href="#publish"' in html and html.count('id="publish"') == 1
