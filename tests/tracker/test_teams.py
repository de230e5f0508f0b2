"""Teams that run themselves: an ICS's approvers invite, change and remove members; invitations work once and
expire; removing someone ends their sessions and tokens at once; a team never loses its last approver."""

import datetime
import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.http import HttpResponse
from django.urls import include, path, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from conftest import PASSWORD, make_user
from tests.factories import person
from tracker.models import ApiToken, Invitation, Membership, MembershipEvent, Notification, UserSession
from tracker.models.tokens import hash_key
from tracker.services import teams
from tracker.services.notifications import notification_deliver

pytestmark = pytest.mark.django_db
TEAM = reverse("tracker:team", args=["QWO"])
NEW_PASSWORD = "a-long-unusual-passphrase-41"

# A urlconf with single sign-on's start URL, as mozilla-django-oidc adds it (see test_sso_is_offered_when_installed).
urlpatterns = [
    path("oidc/authenticate/", lambda request: HttpResponse("sso"), name="oidc_authentication_init"),
    path("", include("config.urls")),
]


@pytest.fixture
def otto(db):
    """Greater Manchester's approver: an approver, but of another ICS."""
    return make_user("otto", "approver", "QOP")


@pytest.fixture
def everyone(alice, bob, charlie, nadia, april, otto):
    return {
        "approver": april,
        "editor": alice,
        "viewer": bob,
        "outsider": charlie,
        "other approver": otto,
        "national": nadia,
        "no role": make_user("nora"),
    }


# Who may change an ICS's team (invite, change roles, remove): only its own approvers; what everyone else gets.
WHO_MAY_CHANGE_A_TEAM = [
    ("anonymous", 302),
    ("no role", 403),
    ("outsider", 404),
    ("other approver", 404),
    ("viewer", 403),
    ("editor", 403),
    ("national", 403),
    ("approver", 302),
]


def invite(inviter, email="erin@example.nhs.uk", role="editor", system=None, region=None):
    """Invite as a page would and deliver the mail; returns the invitation and the token its mailed link carries."""
    if system is None and region is None:
        from tracker.models import IntegratedCareSystem

        system = IntegratedCareSystem.objects.get(ods_code="QWO")
    invitation = teams.invitation_create(inviter=inviter, email=email, role=role, system=system, region=region)
    notification_deliver(
        Notification.objects.get(kind="invitation", dedupe_key__startswith=f"invitation:{invitation.pk}:").pk
    )
    token = re.search(r"/invitations/([\w-]+)/", mail.outbox[-1].body).group(1)
    invitation.refresh_from_db()
    return invitation, token


def link(token):
    return reverse("tracker:invitation", args=[token])


def team_state():
    """Everything a refused change must leave as it was."""
    return (
        sorted(Membership.objects.values_list("user__username", "role", "system__ods_code", "region__code")),
        sorted(Invitation.objects.values_list("email", "accepted_at", "revoked_at")),
        MembershipEvent.objects.count(),
        get_user_model().objects.count(),
    )


# --- Inviting ---------------------------------------------------------------------------------------------------


def test_an_approver_invites_by_email_and_the_mail_says_who_to_what_until_when_with_the_link(
    client, april, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(april)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(TEAM, {"email": "Erin@Example.NHS.uk", "role": "editor"}, follow=True)
    assert "Invitation sent to erin@example.nhs.uk" in response.content.decode()
    assert "erin@example.nhs.uk" in response.content.decode()  # pending, on the team page

    [mail] = mailoutbox
    assert mail.to == ["erin@example.nhs.uk"]
    assert "April Tester" in mail.subject and "West Yorkshire" in mail.subject
    invitation = Invitation.objects.get()
    token = re.search(r"/invitations/([\w-]+)/", mail.body).group(1)
    assert f"{settings.SITE_URL}{link(token)}" in mail.body  # the configured address, never the Host header
    assert "April Tester (april@example.invalid) has invited you to be an editor of West Yorkshire" in mail.body
    assert timezone.localtime(invitation.expires_at).strftime("%-d %B %Y") in mail.body
    html = mail.alternatives[0][0]
    assert f'href="{settings.SITE_URL}{link(token)}"' in html and "to be an editor of West Yorkshire" in html
    # Only the token's hash is stored: the link cannot be read back out of the database.
    assert invitation.token_hash == hash_key(token) and token not in str(Invitation.objects.values().get())
    assert invitation.expires_at - invitation.created_at == datetime.timedelta(days=14)
    # It left through the notifications outbox, so a mail server outage would have delayed it, not lost it; and
    # what the outbox keeps holds no working link: reading it (or a backup) does not let anyone join.
    queued = Notification.objects.get(kind="invitation")
    assert queued.recipient_email == "erin@example.nhs.uk" and queued.sent_at is not None
    assert token not in queued.body_text + queued.body_html + queued.link
    assert "/invitations/link-made-as-this-mail-leaves/" in queued.body_text
    event = MembershipEvent.objects.get()
    assert (event.action, event.email, event.actor, event.new_role) == (
        "invited",
        "erin@example.nhs.uk",
        april,
        "editor",
    )


def test_invitations_last_as_many_days_as_the_setting_says(april, settings):
    settings.INVITATION_DAYS = 3
    invitation, _ = invite(april)
    assert invitation.expires_at - invitation.created_at == datetime.timedelta(days=3)


def test_no_mail_leaves_when_the_invitation_is_not_stored(april, alice, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(teams.TeamRefused):
        invite(april, email="alice@example.invalid")  # already a member
    assert mailoutbox == []


@pytest.mark.parametrize(("who", "expected"), WHO_MAY_CHANGE_A_TEAM)
def test_only_the_icss_own_approvers_can_invite(client, everyone, who, expected):
    if who != "anonymous":
        client.force_login(everyone[who])
    before = team_state()
    response = client.post(TEAM, {"email": "erin@example.nhs.uk", "role": "approver"})
    assert response.status_code == expected
    if who == "approver":
        assert Invitation.objects.get().email == "erin@example.nhs.uk"
    else:
        assert team_state() == before


@pytest.mark.parametrize(
    ("email", "role", "message"),
    [
        ("", "editor", "Enter their email address"),
        ("not-an-email", "editor", "Enter an email address in the correct format"),
        ("erin@example.nhs.uk", "", "Choose a role"),
        ("erin@example.nhs.uk", "national", "Choose approver, editor or viewer"),
        ("erin@example.nhs.uk", "reviewer", "Choose approver, editor or viewer"),
        ("alice@example.invalid", "viewer", "alice@example.invalid is already a member of West Yorkshire"),
    ],
)
def test_a_wrong_invitation_is_refused_with_the_reason_and_sends_nothing(
    client, april, alice, mailoutbox, email, role, message
):
    client.force_login(april)
    before = team_state()
    response = client.post(TEAM, {"email": email, "role": role})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and message in page
    assert team_state() == before and mailoutbox == []


def test_a_second_invitation_to_the_same_address_waits_for_the_first_to_be_revoked(client, april):
    first, _ = invite(april)
    client.force_login(april)
    response = client.post(TEAM, {"email": "erin@example.nhs.uk", "role": "viewer"})
    assert response.status_code == 400
    assert "already has an invitation waiting" in response.content.decode()
    teams.invitation_revoke(invitation=first, actor=april)
    assert client.post(TEAM, {"email": "erin@example.nhs.uk", "role": "viewer"}).status_code == 302


# --- Seeing the team ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected", "manages"),
    [
        ("anonymous", 302, False),
        ("no role", 403, False),
        ("outsider", 404, False),
        ("other approver", 404, False),
        ("viewer", 200, False),
        ("editor", 200, False),
        ("national", 200, False),
        ("approver", 200, True),
    ],
)
def test_members_see_their_team_and_only_approvers_can_change_it(client, everyone, who, expected, manages):
    invite(everyone["approver"], email="pending@example.nhs.uk")
    if who != "anonymous":
        client.force_login(everyone[who])
    response = client.get(TEAM)
    assert response.status_code == expected
    if expected == 200:
        page = response.content.decode()
        assert "alice@example.invalid" in page and "bob@example.invalid" in page
        assert "charlie@example.invalid" not in page  # another ICS's member
        assert ("Send invitation" in page) == manages
        assert ("Change role" in page) == manages
        # Who has been invited is for the team's managers (and the national team), not every member.
        assert ("pending@example.nhs.uk" in page) == (who in ("approver", "national"))


def test_the_team_page_shows_every_change_with_who_made_it(client, april, bob):
    invitation, _ = invite(april)
    teams.invitation_revoke(invitation=invitation, actor=april)
    teams.membership_change_role(membership=bob.membership, role="editor", actor=april)
    client.force_login(april)
    history = client.get(TEAM).content.decode().split('id="team-history"')[1]
    assert "Invitation revoked" in history and "Invited" in history
    assert "Role changed" in history and "Viewer → Editor" in history
    assert history.count("April Tester") == 3


def test_the_system_page_links_to_the_team_for_its_members_only(client, alice, charlie):
    client.force_login(alice)
    assert TEAM in client.get(reverse("tracker:system", args=["QWO"])).content.decode()
    client.force_login(charlie)
    assert TEAM not in client.get(reverse("tracker:system", args=["QWO"])).content.decode()


# --- Accepting -----------------------------------------------------------------------------------------------------


def test_someone_new_sets_a_password_joins_with_the_role_and_is_signed_in(client, april):
    _, token = invite(april, email="erin@example.nhs.uk", role="editor")
    page = client.get(link(token))
    assert page.status_code == 200
    assert "Join West Yorkshire" in page.content.decode() and "as editor" in page.content.decode()
    assert "Sign in with your NHS account" not in page.content.decode()  # no SSO installed here

    response = client.post(
        link(token),
        {"first_name": "Erin", "last_name": "Evans", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response.url == reverse("tracker:system", args=["QWO"])
    erin = get_user_model().objects.get(username="erin@example.nhs.uk")
    assert (erin.email, erin.get_full_name(), erin.check_password(NEW_PASSWORD)) == (
        "erin@example.nhs.uk",
        "Erin Evans",
        True,
    )
    assert (erin.membership.role, erin.membership.system.ods_code) == ("editor", "QWO")
    assert client.get(reverse("tracker:record_edit", args=["QWO", "NHSCC-4"])).status_code == 200
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == erin and invitation.accepted_at is not None
    joined = MembershipEvent.objects.get(action="joined")
    assert (joined.user, joined.actor, joined.new_role) == (erin, erin, "editor")
    assert UserSession.objects.filter(user=erin).count() == 1  # signed in, and the session is known to be theirs


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"password1": NEW_PASSWORD, "password2": "something-else-entirely"}, "The passwords do not match"),
        ({"password1": "short", "password2": "short"}, "too short"),
        ({"password1": "password1234", "password2": "password1234"}, "too common"),
        ({"password1": "erin@example.nhs.uk", "password2": "erin@example.nhs.uk"}, "too similar"),
        ({"password1": "", "password2": ""}, "Enter a password"),
    ],
)
def test_a_password_that_will_not_do_is_refused_and_no_account_is_made(client, april, data, message):
    _, token = invite(april)
    before = team_state()
    response = client.post(link(token), {"first_name": "Erin", "last_name": "Evans", **data})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert team_state() == before


def test_an_existing_account_is_told_to_sign_in_rather_than_set_a_password(client, april):
    make_user("erin")  # erin@example.invalid, no role
    _, token = invite(april, email="erin@example.invalid")
    before = team_state()
    response = client.post(
        link(token), {"first_name": "E", "last_name": "E", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 409
    assert "There is already an account for erin@example.invalid: sign in with it" in response.content.decode()
    assert team_state() == before
    assert "/accounts/login/?next=" in client.get(link(token)).content.decode()


def test_a_signed_in_user_with_the_invited_email_confirms_and_joins(client, april):
    erin = make_user("erin")
    _, token = invite(april, email="ERIN@example.invalid", role="viewer")  # any case
    client.force_login(erin)
    assert "Accept the invitation" in client.get(link(token)).content.decode()
    assert client.post(link(token)).status_code == 302
    erin.refresh_from_db()
    assert (erin.membership.role, erin.membership.system.ods_code) == ("viewer", "QWO")


def test_an_invitation_for_someone_else_is_refused_and_changes_nothing(client, april):
    nora = make_user("nora")
    _, token = invite(april, email="erin@example.nhs.uk")
    client.force_login(nora)
    assert "This invitation is for someone else" in client.get(link(token)).content.decode()
    before = team_state()
    response = client.post(link(token))
    assert response.status_code == 409
    assert "This invitation is for erin@example.nhs.uk, but you are signed in as nora@example.invalid" in (
        response.content.decode()
    )
    assert team_state() == before


def test_someone_who_already_belongs_elsewhere_is_told_so_and_keeps_their_role(client, april, charlie):
    _, token = invite(april, email="charlie@example.invalid", role="approver")
    client.force_login(charlie)
    before = team_state()
    response = client.post(link(token))
    assert response.status_code == 409
    assert "You already belong to Greater Manchester as editor" in response.content.decode()
    assert team_state() == before


@pytest.mark.parametrize(
    ("make_it", "message"),
    [
        ("accepted", "This invitation has already been used."),
        ("revoked", "This invitation was withdrawn"),
        ("expired", "This invitation has expired."),
    ],
)
def test_a_used_revoked_or_expired_link_shows_why_and_gives_nothing(client, april, make_it, message):
    invitation, token = invite(april, email="erin@example.invalid")
    if make_it == "accepted":
        teams.invitation_accept(invitation=invitation, user=make_user("erin"))
    elif make_it == "revoked":
        teams.invitation_revoke(invitation=invitation, actor=april)
    else:
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    someone_else = make_user("erin2")
    before = team_state()
    for response in (
        client.get(link(token)),
        client.post(
            link(token), {"first_name": "X", "last_name": "Y", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        ),
    ):
        assert response.status_code == 410
        assert message in response.content.decode()
    client.force_login(someone_else)
    assert client.post(link(token)).status_code == 410
    assert team_state() == before


def test_a_made_up_link_is_not_found(client):
    assert client.get(link("not-a-real-token")).status_code == 404


@pytest.mark.urls(__name__)
def test_sso_is_offered_when_configured_and_comes_back_to_the_invitation(client, april, settings):
    _, token = invite(april)
    assert "Sign in with your NHS account" not in client.get(link(token)).content.decode()
    settings.OIDC_RP_CLIENT_ID = "tracker"
    page = client.get(link(token)).content.decode()
    assert "Sign in with your NHS account" in page
    assert f'href="/oidc/authenticate/?next={link(token).replace("/", "%2F")}"' in page


# --- Changing roles and removing -----------------------------------------------------------------------------------


def member_url(who):
    return reverse("tracker:team_member", args=[who.membership.system.ods_code, who.membership.pk])


def remove_url(who):
    return reverse("tracker:team_member_remove", args=[who.membership.system.ods_code, who.membership.pk])


@pytest.mark.parametrize(("who", "expected"), WHO_MAY_CHANGE_A_TEAM)
def test_only_the_icss_own_approvers_change_roles_and_remove(client, everyone, who, expected):
    bob = everyone["viewer"]
    if who != "anonymous":
        client.force_login(everyone[who])
    before = team_state()
    assert client.post(member_url(bob), {"role": "editor"}).status_code == expected
    assert Membership.objects.get(user=bob).role == ("editor" if who == "approver" else "viewer")
    assert client.post(remove_url(bob)).status_code == expected
    assert Membership.objects.filter(user=bob).exists() == (who != "approver")
    if who != "approver":
        assert team_state() == before


def test_an_approver_changes_a_role_and_the_history_says_from_what_to_what(client, april, bob):
    client.force_login(april)
    assert "Change the role of Bob Tester" in client.get(member_url(bob)).content.decode()
    response = client.post(member_url(bob), {"role": "approver"}, follow=True)
    assert "bob@example.invalid is now approver." in response.content.decode()
    event = MembershipEvent.objects.get()
    assert (event.action, event.user, event.actor, event.old_role, event.new_role) == (
        "role_changed",
        bob,
        april,
        "viewer",
        "approver",
    )


def test_the_last_approver_cannot_demote_or_remove_themselves(client, april):
    client.force_login(april)
    before = team_state()
    response = client.post(member_url(april), {"role": "editor"})
    assert response.status_code == 400
    assert "April Tester is the last approver of West Yorkshire: a team always keeps one" in response.content.decode()
    response = client.post(remove_url(april))
    assert response.status_code == 409
    assert "is the last approver of West Yorkshire" in response.content.decode()
    assert team_state() == before


def test_the_team_page_offers_the_last_approver_no_action_it_would_refuse(client, april, alice):
    client.force_login(april)
    page = client.get(TEAM).content.decode()
    assert "The only approver: invite another" in page and member_url(april) not in page
    assert member_url(alice) in page
    teams.membership_change_role(membership=alice.membership, role="approver", actor=april)
    page = client.get(TEAM).content.decode()
    assert "The only approver" not in page and member_url(april) in page


def test_with_a_second_approver_one_may_step_down_and_then_the_other_is_the_last(client, april, alice):
    teams.membership_change_role(membership=alice.membership, role="approver", actor=april)
    alice = get_user_model().objects.get(pk=alice.pk)
    client.force_login(april)
    assert client.post(member_url(april), {"role": "editor"}).status_code == 302
    assert Membership.objects.get(user=april).role == "editor"
    with pytest.raises(teams.TeamRefused, match="Alice Tester is the last approver"):
        teams.membership_remove(membership=alice.membership, actor=alice)
    assert Membership.objects.get(user=alice).role == "approver"


def test_removing_a_member_ends_their_session_and_tokens_on_the_very_next_request(client, april, bob):
    member_client = type(client)()
    member_client.force_login(bob)
    _, key = ApiToken.issue(bob, "dashboard")
    api = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    record = reverse("tracker:record", args=["QWO", "NHSCC-4"])
    assert member_client.get(record).status_code == 200
    assert api.get("/api/v1/progress/").status_code == 200

    client.force_login(april)
    response = client.post(remove_url(bob), follow=True)
    assert "bob@example.invalid removed from West Yorkshire" in response.content.decode()

    response = member_client.get(record)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))  # signed out, not just refused
    assert api.get("/api/v1/progress/").status_code == 401
    assert not ApiToken.objects.active().filter(user=bob).exists()
    assert not UserSession.objects.filter(user=bob).exists()
    event = MembershipEvent.objects.get()
    assert (event.action, event.user, event.email, event.old_role, event.actor) == (
        "removed",
        bob,
        "bob@example.invalid",
        "viewer",
        april,
    )
    # They are still a user: their name stays on what they did, and they can be invited again.
    assert get_user_model().objects.filter(pk=bob.pk).exists()
    invite(april, email="bob@example.invalid")


def test_an_approver_who_is_not_the_last_may_leave_and_is_signed_out(client, april, alice):
    teams.membership_change_role(membership=alice.membership, role="approver", actor=april)
    client.force_login(april)
    response = client.post(remove_url(april), follow=True)
    assert response.status_code == 200
    assert "You have left West Yorkshire and are signed out." in response.content.decode()
    assert not Membership.objects.filter(user=april).exists()
    assert client.get(TEAM).status_code == 302  # to sign in


def test_removing_asks_first(client, april, bob):
    client.force_login(april)
    page = client.get(remove_url(bob)).content.decode()
    assert "Remove Bob Tester from West Yorkshire?" in page and "signed out everywhere" in page
    assert Membership.objects.filter(user=bob).exists()


def test_removing_ends_only_the_removed_members_sessions(client, april, bob, alice):
    alice_client = type(client)()
    alice_client.force_login(alice)
    teams.membership_remove(membership=bob.membership, actor=april)
    assert alice_client.get(reverse("tracker:record", args=["QWO", "NHSCC-4"])).status_code == 200


def test_signing_out_forgets_the_session_and_signing_in_forgets_expired_ones(client, bob):
    client.post(reverse("login"), {"username": "bob", "password": PASSWORD})
    assert UserSession.objects.filter(user=bob).count() == 1
    client.post(reverse("logout"))
    assert not UserSession.objects.filter(user=bob).exists()

    UserSession.objects.create(user=bob, session_key="cleared-by-clearsessions")
    client.post(reverse("login"), {"username": "bob", "password": PASSWORD})
    assert list(UserSession.objects.filter(user=bob).values_list("session_key", flat=True)) == [
        client.session.session_key
    ]


# --- Revoking invitations ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [("outsider", 404), ("other approver", 404), ("viewer", 403), ("editor", 403), ("approver", 302)],
)
def test_only_the_icss_approvers_revoke_its_invitations(client, everyone, who, expected):
    invitation, token = invite(everyone["approver"])
    client.force_login(everyone[who])
    assert client.post(reverse("tracker:invitation_revoke", args=[invitation.pk])).status_code == expected
    invitation.refresh_from_db()
    assert (invitation.revoked_at is not None) == (who == "approver")


def test_a_revoked_link_stops_working_at_once(client, april):
    invitation, token = invite(april)
    client.force_login(april)
    response = client.post(reverse("tracker:invitation_revoke", args=[invitation.pk]), follow=True)
    assert "Invitation to erin@example.nhs.uk revoked" in response.content.decode()
    client.logout()
    assert client.get(link(token)).status_code == 410
    assert MembershipEvent.objects.filter(action="invitation_revoked", actor=april).count() == 1


# --- The national team -------------------------------------------------------------------------------------------


def test_the_national_team_invites_a_regional_reviewer_who_joins_and_can_be_removed(
    client, nadia, rita, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(nadia)
    page = client.get(reverse("tracker:teams")).content.decode()
    assert "rita@example.invalid" in page
    from tracker.models import Region

    london = Region.objects.get(code="Y56")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("tracker:teams"),
            {"invite": "reviewer", "reviewer-email": "rex@example.nhs.uk", "reviewer-region": london.pk},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.role, invitation.region, invitation.system) == ("reviewer", london, None)
    assert "to be a regional reviewer of the London region" in mailoutbox[0].body
    listed = client.get(reverse("tracker:teams")).content.decode().split('id="invitations"')[1].split("</table>")[0]
    assert "rex@example.nhs.uk" in listed and "London" in listed
    token = re.search(r"/invitations/([\w-]+)/", mailoutbox[0].body).group(1)

    client.logout()
    client.post(
        link(token), {"first_name": "Rex", "last_name": "R", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    rex = get_user_model().objects.get(username="rex@example.nhs.uk")
    assert (rex.membership.role, rex.membership.region) == ("reviewer", london)
    assert client.get(reverse("tracker:returns")).status_code == 200

    client.force_login(nadia)
    assert client.post(reverse("tracker:reviewer_remove", args=[rita.membership.pk])).status_code == 302
    assert not Membership.objects.filter(user=rita).exists()
    assert MembershipEvent.objects.filter(action="removed", user=rita, region__code="Y63").exists()


def test_the_national_team_invites_an_approver_only_where_an_ics_has_none(client, nadia, april):
    client.force_login(nadia)
    page = client.get(reverse("tracker:teams")).content.decode()
    without = page.split('id="without-approver"')[1].split("</details>")[0]
    assert "QOP" in without and "QWO" not in without  # West Yorkshire has april
    from tracker.models import IntegratedCareSystem

    west_yorkshire, manchester = (IntegratedCareSystem.objects.get(ods_code=c) for c in ("QWO", "QOP"))
    # "Invite an approver" beside Greater Manchester opens the form with it chosen; an ICS with one is not offered.
    assert '<a href="?system=QOP#invite-approver">' in without
    chosen = client.get(reverse("tracker:teams"), {"system": "QOP"}).content.decode()
    assert f'<option value="{manchester.pk}" selected>' in chosen
    not_offered = client.get(reverse("tracker:teams"), {"system": "QWO"}).content.decode()
    options = not_offered.split('name="approver-system"')[1].split("</select>")[0]
    assert options.count(" selected>") == 1 and '<option value="" selected>' in options
    before = team_state()
    response = client.post(
        reverse("tracker:teams"),
        {"invite": "approver", "approver-email": "x@example.nhs.uk", "approver-system": west_yorkshire.pk},
    )
    assert response.status_code == 400 and "Choose an ICS that has no approver" in response.content.decode()
    assert team_state() == before
    with pytest.raises(teams.PermissionDenied):
        invite(nadia, email="x@example.nhs.uk", role="editor", system=manchester)  # approvers invite the rest
    response = client.post(
        reverse("tracker:teams"),
        {"invite": "approver", "approver-email": "mo@example.nhs.uk", "approver-system": manchester.pk},
    )
    assert response.status_code == 302
    assert Invitation.objects.get().system == manchester


@pytest.mark.parametrize("who", ["no role", "viewer", "editor", "approver", "outsider"])
def test_only_the_national_team_manages_reviewers(client, everyone, rita, who):
    client.force_login(everyone[who])
    before = team_state()
    assert client.get(reverse("tracker:teams")).status_code == 403
    assert client.post(reverse("tracker:reviewer_remove", args=[rita.membership.pk])).status_code == 403
    assert team_state() == before
    with pytest.raises(teams.PermissionDenied):
        teams.membership_remove(membership=rita.membership, actor=everyone[who])


# --- People linked to accounts -------------------------------------------------------------------------------------


def test_an_owner_is_linked_to_the_member_with_their_email_when_they_join(client, april, west_yorkshire):
    erin_owner = person(west_yorkshire, name="Erin Evans", email="erin@example.nhs.uk")
    _, token = invite(april, email="erin@example.nhs.uk")
    client.post(
        link(token), {"first_name": "Erin", "last_name": "E", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    erin_owner.refresh_from_db()
    assert erin_owner.user.username == "erin@example.nhs.uk"
    page = client.get(reverse("tracker:people", args=["QWO"])).content.decode()
    assert "Member</strong>" in page.split("erin@example.nhs.uk")[1][:120]


def test_a_person_added_or_corrected_to_a_members_email_is_linked(client, alice, bob):
    client.force_login(alice)
    people = reverse("tracker:people", args=["QWO"])
    client.post(people, {"name": "Bob Tester", "job_title": "Analyst", "email": "BOB@example.invalid"})
    from tracker.models import Person

    added = Person.objects.get(email="bob@example.invalid")
    assert added.user == bob
    client.post(
        reverse("tracker:person_edit", args=["QWO", added.pk]),
        {"name": "Bob Tester", "job_title": "Analyst", "email": "robert@example.invalid"},
    )
    added.refresh_from_db()
    assert added.user is None


def test_removing_a_member_unlinks_them_from_the_people_they_are(april, bob, west_yorkshire):
    owner = person(west_yorkshire, name="Bob Tester", email="bob@example.invalid")
    from tracker import people

    people.person_update(person=owner, name=owner.name, job_title=owner.job_title, email=owner.email)
    owner.refresh_from_db()
    assert owner.user == bob
    teams.membership_remove(membership=bob.membership, actor=april)
    owner.refresh_from_db()
    assert owner.user is None and owner.name == "Bob Tester"  # still named on their records


# --- History is kept -----------------------------------------------------------------------------------------------


def test_the_teams_history_cannot_be_edited_or_deleted(april):
    invite(april)
    event = MembershipEvent.objects.get()
    event.email = "someone@else.example"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        MembershipEvent.objects.update(email="x@example.invalid")
    with pytest.raises(TypeError):
        MembershipEvent.objects.all().delete()
    assert MembershipEvent.objects.get().email == "erin@example.nhs.uk"


# --- Superusers keep the admin ------------------------------------------------------------------------------------


@pytest.fixture
def root(client):
    user = get_user_model().objects.create_superuser("root", "root@example.nhs.uk", "x" * 16)
    client.force_login(user)
    return user


def test_a_membership_given_changed_or_removed_in_the_admin_is_in_the_teams_history(client, root, april, bob):
    newcomer = make_user("newcomer")
    from tracker.models import IntegratedCareSystem

    qwo = IntegratedCareSystem.objects.get(ods_code="QWO")
    client.post(reverse("admin:tracker_membership_add"), {"user": newcomer.pk, "role": "viewer", "system": qwo.pk})
    client.post(
        reverse("admin:tracker_membership_change", args=[newcomer.membership.pk]),
        {"user": newcomer.pk, "role": "editor", "system": qwo.pk},
    )
    bob_client = type(client)()
    bob_client.force_login(bob)
    client.post(reverse("admin:tracker_membership_delete", args=[bob.membership.pk]), {"post": "yes"})

    events = list(MembershipEvent.objects.order_by("pk").values_list("action", "email", "old_role", "new_role"))
    assert events == [
        ("joined", "newcomer@example.invalid", "", "viewer"),
        ("role_changed", "newcomer@example.invalid", "viewer", "editor"),
        ("removed", "bob@example.invalid", "viewer", ""),
    ]
    assert bob_client.get(reverse("tracker:record", args=["QWO", "NHSCC-4"])).status_code == 302  # signed out
    client.force_login(april)
    assert "newcomer@example.invalid" in client.get(TEAM).content.decode().split('id="team-history"')[1]


def test_superusers_see_the_invitations_and_history_read_only_in_the_admin(client, root, april):
    invitation, token = invite(april)
    page = client.get(reverse("admin:tracker_invitation_change", args=[invitation.pk])).content.decode()
    assert "erin@example.nhs.uk" in page and invitation.token_hash not in page
    assert client.get(reverse("admin:tracker_invitation_add")).status_code == 403
    assert client.get(reverse("admin:tracker_membershipevent_changelist")).status_code == 200
    assert client.get(reverse("admin:tracker_membershipevent_add")).status_code == 403


# --- The API: who has which role, read-only ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("approver", {"april", "alice", "bob"}),
        ("viewer", {"april", "alice", "bob"}),
        ("outsider", {"charlie", "otto"}),
        ("national", {"april", "alice", "bob", "charlie", "otto", "nadia", "rita"}),
        ("reviewer", {"rita"}),
    ],
)
def test_the_members_api_shows_each_user_the_team_they_may_see(everyone, rita, who, expected):
    user = rita if who == "reviewer" else everyone[who]
    _, key = ApiToken.issue(user, "t")
    rows = APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/members/").json()["results"]
    assert {row["email"].split("@")[0] for row in rows} == expected
    april_row = next((row for row in rows if row["email"] == "april@example.invalid"), None)
    if april_row:
        assert april_row == {**april_row, "name": "April Tester", "role": "approver", "system": "QWO", "region": None}


def test_the_members_api_filters_by_role_and_system_and_refuses_anyone_without_a_role(everyone):
    _, key = ApiToken.issue(everyone["national"], "t")
    api = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    rows = api.get("/api/v1/members/", {"system": "QWO", "role": "approver"}).json()["results"]
    assert [row["email"] for row in rows] == ["april@example.invalid"]
    assert api.get("/api/v1/members/", {"system": "NOPE"}).status_code == 400
    assert APIClient().get("/api/v1/members/").status_code == 401
    _, key = ApiToken.issue(everyone["no role"], "t")
    assert APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/members/").status_code == 403
    assert api.post("/api/v1/members/", {"email": "x@example.invalid"}).status_code == 405


def test_the_national_team_may_invite_an_approver_when_the_only_one_is_switched_off(nadia, april, west_yorkshire):
    from tracker import permissions

    assert not permissions.can_invite_first_approver(nadia, west_yorkshire)
    april.is_active = False
    april.save(update_fields=["is_active"])
    assert permissions.can_invite_first_approver(nadia, west_yorkshire)
