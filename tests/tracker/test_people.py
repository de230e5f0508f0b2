"""People an ICS names as owners: added, corrected and retired, never deleted; and where people land on signing in."""

import pytest
from django.urls import reverse

from conftest import PASSWORD
from tests.factories import person, record, update
from tracker.models import Person, ProgressChange

pytestmark = pytest.mark.django_db


def as_user(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def priya(west_yorkshire):
    return person(west_yorkshire, name="Priya Shah", job_title="Director of Primary Care")


def edit_url(who):
    return reverse("tracker:person_edit", args=["QWO", who.pk])


def retire_url(who):
    return reverse("tracker:person_retire", args=["QWO", who.pk])


CHANGED = {"name": "Priya Shah-Khan", "job_title": "Chief Operating Officer", "email": "Priya.Khan@example.nhs.uk"}


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("outsider", 404), ("viewer", 403), ("editor", 302), ("national", 403)],
)
def test_only_the_systems_editors_can_correct_a_person(client, personas, priya, who, expected):
    response = as_user(client, personas.get(who)).post(edit_url(priya), CHANGED)
    assert response.status_code == expected
    priya.refresh_from_db()
    assert (priya.name == CHANGED["name"]) == (who == "editor")


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("outsider", 404), ("viewer", 403), ("editor", 302), ("national", 403)],
)
def test_only_the_systems_editors_can_retire_a_person(client, personas, priya, who, expected):
    assert as_user(client, personas.get(who)).post(retire_url(priya)).status_code == expected
    priya.refresh_from_db()
    assert priya.is_retired == (who == "editor")


def test_an_editor_corrects_a_name_job_title_and_email_and_the_history_keeps_the_old_name(client, alice, priya):
    west_yorkshire = priya.system
    update(west_yorkshire, "NHSCC-4", alice, accountable_owner=priya, reason="Owner named")
    client.force_login(alice)
    assert CHANGED["name"] not in client.get(edit_url(priya)).content.decode()

    response = client.post(edit_url(priya), CHANGED)
    assert response.status_code == 302
    priya.refresh_from_db()
    assert (priya.name, priya.job_title, priya.email) == (
        "Priya Shah-Khan",
        "Chief Operating Officer",
        "priya.khan@example.nhs.uk",
    )
    assert record("QWO", "NHSCC-4").accountable_owner == priya
    assert ProgressChange.objects.get().changes["Accountable owner"] == ["—", "Priya Shah, Director of Primary Care"]


def test_an_email_already_used_by_someone_else_in_the_system_is_refused(client, alice, priya):
    other = person(priya.system, name="Sam Lee", email="sam.lee@example.nhs.uk")
    client.force_login(alice)
    response = client.post(edit_url(priya), {**CHANGED, "email": other.email})
    assert "already has someone with that email address" in response.content.decode()
    assert client.post(edit_url(priya), {**CHANGED, "email": priya.email}).status_code == 302


def test_a_person_of_another_system_cannot_be_changed_through_this_one(client, alice):
    from tracker.models import IntegratedCareSystem

    elsewhere = person(IntegratedCareSystem.objects.get(ods_code="QOP"), name="Gill Other")
    client.force_login(alice)
    assert client.post(reverse("tracker:person_edit", args=["QWO", elsewhere.pk]), CHANGED).status_code == 404
    assert client.post(reverse("tracker:person_retire", args=["QWO", elsewhere.pk])).status_code == 404


def test_a_retired_person_is_not_offered_for_new_records_but_stays_on_the_ones_that_name_them(client, alice, priya):
    west_yorkshire = priya.system
    update(west_yorkshire, "NHSCC-4", alice, accountable_owner=priya, reason="Owner named")
    client.force_login(alice)
    client.post(retire_url(priya))

    other_form = client.get(reverse("tracker:record_edit", args=["QWO", "NHSCC-5"])).context["form"]
    assert priya not in other_form.fields["accountable_owner"].queryset
    own_form = client.get(reverse("tracker:record_edit", args=["QWO", "NHSCC-4"])).content.decode()
    assert "Priya Shah, Director of Primary Care (retired)" in own_form
    assert "Priya Shah" in client.get(reverse("tracker:record", args=["QWO", "NHSCC-4"])).content.decode()
    # Saving the record that names them keeps them; naming them on another record is refused.
    url = reverse("tracker:record_edit", args=["QWO", "NHSCC-4"])
    saved = client.post(url, {"status": "amber", "accountable_owner": priya.pk, "summary": "Going well", "version": 1})
    assert saved.status_code == 302 and record("QWO", "NHSCC-4").accountable_owner == priya
    url = reverse("tracker:record_edit", args=["QWO", "NHSCC-5"])
    refused = client.post(url, {"status": "red", "reason": "x", "accountable_owner": priya.pk, "version": 0})
    assert refused.status_code == 200 and record("QWO", "NHSCC-5").accountable_owner is None
    assert Person.objects.filter(pk=priya.pk).exists()


def test_the_people_page_lists_retired_people_apart_and_a_person_can_be_reinstated(client, alice, priya):
    client.force_login(alice)
    client.post(retire_url(priya))
    body = client.get(reverse("tracker:people", args=["QWO"])).content.decode()
    assert "Retired: still named on past records" in body
    assert client.get(reverse("tracker:people", args=["QWO"])).context["people"] == []

    client.post(reverse("tracker:person_reinstate", args=["QWO", priya.pk]))
    priya.refresh_from_db()
    assert not priya.is_retired


def test_a_viewer_sees_people_but_no_way_to_change_them(client, bob, priya):
    body = as_user(client, bob).get(reverse("tracker:people", args=["QWO"])).content.decode()
    assert "Priya Shah" in body and edit_url(priya) not in body


# Where people land after signing in.


def sign_in(client, user, next_url=None):
    data = {"username": user.username, "password": PASSWORD}
    if next_url is not None:
        data["next"] = next_url
    return client.post(reverse("login"), data, follow=True)


@pytest.mark.parametrize(
    ("who", "lands_on"),
    [("editor", "/my-work/"), ("viewer", "/my-work/"), ("national", "/my-work/"), ("no_role", "/account/no-access/")],
)
def test_after_signing_in_people_land_where_their_work_is(client, personas, who, lands_on):
    from conftest import make_user

    user = personas[who] if who in personas else make_user("nora")
    response = sign_in(client, user)
    assert response.redirect_chain[-1][0] == lands_on
    assert response.status_code == 200


def test_a_next_address_wins_over_the_landing_page(client, alice):
    response = sign_in(client, alice, next_url="/catalogue/")
    assert response.redirect_chain[-1][0] == "/catalogue/"


def test_the_landing_page_follows_only_a_safe_next_address(client, alice):
    client.force_login(alice)
    landing = reverse("tracker:landing")
    assert client.get(landing, {"next": "/comparison/rollups/"})["Location"] == "/comparison/rollups/"
    assert client.get(landing, {"next": "https://evil.example/"})["Location"] == "/my-work/"
    assert client.get(landing)["Location"] == "/my-work/"


def test_the_landing_page_asks_anonymous_visitors_to_sign_in(client):
    assert client.get(reverse("tracker:landing"))["Location"].startswith(reverse("login"))
