import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_signing_in_takes_an_editor_where_they_were_going(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD, "next": "/systems/QWO/"})
    assert response.status_code == 302 and response["Location"] == "/systems/QWO/"


def test_repeated_failed_sign_ins_are_throttled_even_with_the_right_password_after(client, alice):
    for _ in range(4):
        response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
        assert "Please enter a correct username and password" in response.content.decode()
    response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})  # the fifth: locked
    assert response.status_code == 429 and "Too many failed sign-in attempts" in response.content.decode()
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()


def test_demo_progress_is_labelled_on_every_page_once_it_exists(client, nadia, settings):
    settings.DEBUG = True  # as under `make run`
    client.force_login(nadia)
    assert "Demonstration data" not in client.get("/").content.decode()
    call_command("seed_demo", "--with-progress", verbosity=0)
    pages = [
        "/",
        "/catalogue/",
        "/systems/QWO/",
        reverse("tracker:record", args=["QWO", "NHSCC-1"]),
        reverse("tracker:comparison"),
        reverse("tracker:rollups"),
        reverse("tracker:peer_learning"),
        reverse("tracker:board_report", args=["QWO"]),
    ]
    for url in pages:
        assert "not any integrated care system's real return" in client.get(url).content.decode(), url
    assert "Demo data" in client.get(reverse("tracker:record", args=["QWO", "NHSCC-1"])).content.decode()


def test_the_comparison_shows_the_banner_even_when_its_own_cells_are_all_real(client, nadia, settings):
    from tracker.demo import create_demo_progress
    from tracker.models import IntegratedCareSystem

    settings.DEBUG = True
    create_demo_progress(systems=IntegratedCareSystem.objects.filter(ods_code="QWO"))  # North East and Yorkshire
    client.force_login(nadia)
    response = client.get(reverse("tracker:comparison"), {"region": "Y62"})
    cells = [cell for _, systems in response.context["matrix"]["rows"] for _, row in systems for _, cell in row]
    assert cells and not any(cell.is_demo for cell in cells)
    assert "not any integrated care system's real return" in response.content.decode()


def test_seed_demo_refuses_to_publish_demo_passwords_in_production(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="refusing"):
        call_command("seed_demo", verbosity=0)


def test_the_demo_logins_have_the_notifications_a_member_would_have_each_labelled_demo(settings):
    from tracker.models import Notification

    settings.DEBUG = True
    call_command("seed_demo", "--with-progress", verbosity=0)
    editor = get_user_model().objects.get(username="wy.editor")
    theirs = Notification.objects.for_user(editor)
    assert theirs.filter(kind="period_opened").count() == 1
    assert all(subject.startswith("Demo data: ") for subject in Notification.objects.values_list("subject", flat=True))
    everyone = Notification.objects.count()
    call_command("seed_demo", "--with-progress", verbosity=0)
    assert Notification.objects.count() == everyone  # `make run` seeds every time: nothing twice
