"""Notifications through a real SMTP server (aiosmtpd on 127.0.0.1), as production sends them: the right people and
nobody else, reminders once however often the command runs, nothing lost while the server is down, and nothing a
user typed can add a header or HTML to a mail."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from conftest import make_user
from legacy.models import Recommendation
from tests.factories import person, update
from tests.smtp import started_for
from tests.tracker.test_returns import make_ready, the_return
from tracker import services
from tracker.models import Notification, QuarterlyReturn
from tracker.models.returns import due_on
from tracker.periods import ReportingPeriod
from tracker.services import notifications

pytestmark = pytest.mark.django_db
NOW = ReportingPeriod.current()


@pytest.fixture
def smtp(settings):
    server = started_for(settings)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SITE_URL = "https://tracker.example.invalid"
    yield server
    server.stop()


@pytest.fixture
def ready(alice, west_yorkshire):
    make_ready(west_yorkshire, alice)
    return the_return()


def test_a_submission_reaches_its_approvers_over_smtp_and_nobody_else(smtp, ready, alice, april, bob, rita, commit):
    make_user("greg", "approver", "QOP")
    commit(services.return_submit, quarterly_return=ready, user=alice)

    assert smtp.inbox.recipients() == ["april@example.invalid"]
    [message] = smtp.inbox.parsed()
    assert message["Subject"] == f"West Yorkshire: the {NOW.label} return is ready for sign-off"
    assert message["From"] == "ICS legacy tracker <tracker@example.invalid>"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    link = f"https://tracker.example.invalid/systems/QWO/returns/{NOW.code}/"
    assert link in text and f'href="{link}"' in html and "Why you got this" in text


def test_send_reminders_run_twice_sends_nothing_new(smtp, alice, april, west_yorkshire):
    owner = person(west_yorkshire, name="Olu Bello", email="olu@qwo.example.invalid")
    update(west_yorkshire, "NHSCC-4", alice, accountable_owner=owner, target_date=due_on(NOW))
    day = due_on(NOW) - datetime.timedelta(days=3)

    call_command("send_reminders", "--today", day.isoformat(), verbosity=0)
    first = smtp.inbox.recipients()
    assert first == ["alice@example.invalid", "april@example.invalid", "olu@qwo.example.invalid"]

    call_command("send_reminders", "--today", day.isoformat(), verbosity=0)
    assert smtp.inbox.recipients() == first


def test_with_the_mail_server_down_the_event_commits_and_the_mail_follows_once_it_is_back(
    smtp, ready, alice, april, commit
):
    smtp.stop()
    commit(services.return_submit, quarterly_return=ready, user=alice)

    assert QuarterlyReturn.objects.get(pk=ready.pk).state == "submitted"
    row = Notification.objects.get(recipient_user=april)
    assert row.sent_at is None and row.attempts == 1 and row.last_error

    later = timezone.now() + datetime.timedelta(minutes=2)
    assert notifications.notifications_deliver_due(now=later) == (0, 1)  # still down: kept, tried again later
    row.refresh_from_db()
    assert row.sent_at is None and row.attempts == 2

    smtp.start()
    much_later = timezone.now() + datetime.timedelta(hours=1)
    assert notifications.notifications_deliver_due(now=much_later) == (1, 0)
    assert notifications.notifications_deliver_due(now=much_later) == (0, 0)
    assert smtp.inbox.recipients() == ["april@example.invalid"]
    row.refresh_from_db()
    assert row.sent_at is not None and row.last_error == ""


def test_a_hostile_name_or_text_cannot_add_headers_or_html(smtp, alice, april, west_yorkshire, commit):
    make_ready(west_yorkshire, alice)
    hostile_name = "Bob\r\nBcc: x@evil.example"
    owner = person(west_yorkshire, name=hostile_name, email="olu@qwo.example.invalid")
    target = timezone.localdate() + datetime.timedelta(days=5)
    update(
        west_yorkshire,
        "NHSCC-4",
        alice,
        accountable_owner=owner,
        target_date=target,
        summary='<script>alert("x")</script>\r\nBcc: y@evil.example',
    )
    reviewer = make_user("rita", "reviewer", region="Y63")
    reviewer.first_name = "Rita\r\nBcc: z@evil.example\r\n<b>"
    reviewer.save()
    commit(services.return_submit, quarterly_return=the_return(), user=alice)
    commit(services.return_sign_off, quarterly_return=the_return(), user=april)
    commit(
        services.challenge_raise,
        quarterly_return=the_return(),
        recommendation=Recommendation.objects.get(code="NHSCC-4"),
        user=reviewer,
        text="<script>alert(1)</script>\r\nBcc: w@evil.example",
    )
    call_command("send_reminders", "--today", timezone.localdate().isoformat(), verbosity=0)

    assert "evil.example" not in " ".join(smtp.inbox.recipients())
    messages = smtp.inbox.parsed()
    assert {m["To"] for m in messages} >= {"olu@qwo.example.invalid", "alice@example.invalid"}
    for message in messages:
        assert message["Bcc"] is None and message["Cc"] is None
        assert all("evil" not in str(value) for value in message.values())
        html = message.get_body(("html",)).get_content()
        assert "<script" not in html and "<b>" not in html
    owner_mail = next(m for m in messages if m["To"] == "olu@qwo.example.invalid")
    assert "&lt;script&gt;" in owner_mail.get_body(("html",)).get_content()
    challenge_mail = next(m for m in messages if "challenged" in m["Subject"])
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in challenge_mail.get_body(("html",)).get_content()
