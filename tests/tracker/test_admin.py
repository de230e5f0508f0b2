import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tracker.models import IntegratedCareSystem, Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(client):
    user = get_user_model().objects.create_superuser("root", "root@example.nhs.uk", "x" * 16)
    client.force_login(user)
    return user


def test_a_superuser_gives_a_user_a_role_in_the_admin(client, superuser, db):
    newcomer = get_user_model().objects.create_user("newcomer")
    client.post(
        reverse("admin:tracker_membership_add"),
        {"user": newcomer.pk, "role": "editor", "system": IntegratedCareSystem.objects.get(ods_code="QWO").pk},
    )
    membership = Membership.objects.get(user=newcomer)
    assert (membership.role, membership.system.ods_code) == ("editor", "QWO")


def test_the_admin_refuses_a_national_member_tied_to_a_system(client, superuser):
    newcomer = get_user_model().objects.create_user("newcomer")
    response = client.post(
        reverse("admin:tracker_membership_add"),
        {"user": newcomer.pk, "role": "national", "system": IntegratedCareSystem.objects.get(ods_code="QWO").pk},
    )
    assert response.status_code == 200
    assert not Membership.objects.filter(user=newcomer).exists()


def test_history_and_the_catalogue_are_read_only_in_the_admin(client, superuser):
    assert client.get(reverse("admin:tracker_progresschange_changelist")).status_code == 200
    assert client.get(reverse("admin:tracker_progresschange_add")).status_code == 403
    assert client.get(reverse("admin:legacy_recommendation_add")).status_code == 403


def test_a_superuser_makes_someone_a_regional_reviewer_and_returns_are_read_only(client, superuser):
    from tracker.models import QuarterlyReturn, Region

    newcomer = get_user_model().objects.create_user("reviewer")
    client.post(
        reverse("admin:tracker_membership_add"),
        {"user": newcomer.pk, "role": "reviewer", "region": Region.objects.get(code="Y63").pk},
    )
    assert Membership.objects.get(user=newcomer).region.code == "Y63"
    assert client.get(reverse("admin:tracker_quarterlyreturn_changelist")).status_code == 200
    assert client.get(reverse("admin:tracker_quarterlyreturn_add")).status_code == 403
    a_return = QuarterlyReturn.objects.first()
    client.post(reverse("admin:tracker_quarterlyreturn_change", args=[a_return.pk]), {"state": "signed_off"})
    assert QuarterlyReturn.objects.get(pk=a_return.pk).state == "open"
