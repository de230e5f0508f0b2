"""My work: the page everyone lands on after signing in, with what they have to do next."""

import datetime
import re

from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from legacy.models import Recommendation
from tests.factories import person, update
from tracker import services
from tracker.models import QuarterlyReturn
from tracker.periods import ReportingPeriod

from .test_returns import make_ready, the_return

MY_WORK = reverse("tracker:my_work")
TODAY = timezone.localdate()


def page(client, user):
    client.force_login(user)
    response = client.get(MY_WORK)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    return response.content.decode()


def codes_in(html: str, table_id: str) -> set[str]:
    """The item codes listed in one of the page's tables (none if the table is not there)."""
    table = re.search(rf'<table class="nhsuk-table" id="{table_id}">(.*?)</table>', html, re.S)
    return set(re.findall(r'data-code="([^"]+)"', table.group(1))) if table else set()


def test_an_editor_sees_the_current_return_its_deadline_and_what_blocks_it(client, alice):
    html = page(client, alice)
    current = QuarterlyReturn.objects.get(system__ods_code="QWO", period=ReportingPeriod.current().code)
    assert "West Yorkshire" in html
    assert f"Due {current.due_on:%-d %B %Y}" in html
    assert "to put right before it can be submitted" in html


def test_items_are_mine_when_they_name_my_email_as_an_owner_whatever_its_case(client, alice, west_yorkshire):
    me = person(west_yorkshire, name="Alice Tester", email="ALICE@example.invalid")
    someone_else = person(west_yorkshire, name="Sam Other", email="sam@example.invalid")
    update(west_yorkshire, "NHSCC-1", alice, accountable_owner=me)
    update(west_yorkshire, "NHSCC-2", alice, delivery_lead=me)
    update(west_yorkshire, "NHSCC-3", alice, accountable_owner=someone_else)
    assert codes_in(page(client, alice), "owned") == {"NHSCC-1", "NHSCC-2"}


def test_targets_within_30_days_or_passed_are_listed_and_complete_items_are_not(client, alice, west_yorkshire):
    update(west_yorkshire, "NHSCC-1", alice, target_date=TODAY + datetime.timedelta(days=30))
    update(west_yorkshire, "NHSCC-2", alice, status="red", target_date=TODAY - datetime.timedelta(days=1))
    update(west_yorkshire, "NHSCC-3", alice, target_date=TODAY + datetime.timedelta(days=31))
    update(west_yorkshire, "NHSCC-4", alice, status="blue", target_date=TODAY - datetime.timedelta(days=3))
    update(west_yorkshire, "NHSCC-5", alice, status="not_applicable", target_date=TODAY - datetime.timedelta(days=3))
    html = page(client, alice)
    assert codes_in(html, "targets-due") == {"NHSCC-1", "NHSCC-2"}
    assert "Overdue" in html


def test_another_systems_targets_and_challenges_never_show(client, alice, charlie, west_yorkshire):
    update(west_yorkshire, "NHSCC-1", alice, target_date=TODAY)
    assert codes_in(page(client, charlie), "targets-due") == set()
    assert "West Yorkshire" not in page(client, charlie)


def test_open_challenges_show_to_the_ics_and_to_the_reviewer_who_raised_them(client, alice, april, rita, ray):
    make_ready(alice.membership.system, alice)
    services.return_submit(quarterly_return=the_return(), user=alice)
    services.return_sign_off(quarterly_return=the_return(), user=april)
    services.challenge_raise(
        quarterly_return=the_return(),
        recommendation=Recommendation.objects.get(code="NHSCC-1"),
        text="The evidence does not support amber.",
        user=rita,
    )
    for who in (alice, rita):
        assert "The evidence does not support amber." in page(client, who)
    assert "The evidence does not support amber." not in page(client, ray)


def test_a_reviewer_sees_signed_off_returns_of_their_region_that_have_no_opinion_yet(client, alice, april, rita, ray):
    previous = ReportingPeriod.current().previous
    make_ready(alice.membership.system, alice)
    services.return_submit(quarterly_return=the_return(period=previous), user=alice)
    services.return_sign_off(quarterly_return=the_return(period=previous), user=april)
    assert "West Yorkshire" in page(client, rita).split("Returns to assure")[1]
    assert "West Yorkshire" not in page(client, ray)
    services.return_assure(
        quarterly_return=the_return(period=previous), assurance="reasonable", comment="Fine.", user=rita
    )
    assert "has an assurance opinion" in page(client, rita)


def test_the_national_team_sees_late_returns(client, nadia, settings):
    settings.RETURN_DUE_DAYS = 366  # nothing can be late yet
    html = page(client, nadia)
    assert "No return for the current or previous quarter is late" in html
    quick_links = re.search(r'<a href="/comparison/">Comparison of every system</a>.*?</p>', html)
    assert quick_links and f'href="{reverse("tracker:open_data")}"' in quick_links.group(0)
    settings.RETURN_DUE_DAYS = 0  # the previous quarter's returns, none signed off, are now past due
    html = page(client, nadia)
    assert "West Yorkshire" in html.split('id="late-returns"')[1]


def test_someone_signed_in_without_a_role_is_told_to_ask_their_ics_approver(client, db):
    client.force_login(make_user("nora"))
    response = client.get(MY_WORK, follow=True)
    assert response.redirect_chain[-1][0] == reverse("tracker:no_access")
    assert "Ask your ICS approver to invite you" in response.content.decode()
    assert "West Yorkshire" not in response.content.decode()


def test_my_work_asks_anonymous_visitors_to_sign_in(client, db):
    assert client.get(MY_WORK)["Location"].startswith(reverse("login"))


def test_the_reminders_and_notifications_a_user_has_had_show_on_their_my_work(client, alice, april, charlie):
    make_ready(alice.membership.system, alice)
    services.return_submit(quarterly_return=the_return(), user=alice)  # the ICS's approvers are told
    notifications = page(client, april).split('id="my-notifications"')
    assert len(notifications) == 2 and "return is ready for sign-off" in notifications[1].split("</ul>")[0]
    assert 'id="my-notifications"' not in page(client, charlie)
