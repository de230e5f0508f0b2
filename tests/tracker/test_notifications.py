"""Notifications: who is told of each event and reminder (and nobody else), once; preferences, digests, the
unsubscribe link for owners without an account, and the notifications page. Mail here is Django's in-memory
outbox; tests/tracker/test_notifications_smtp.py sends through a real SMTP server."""

import datetime
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from legacy.models import Recommendation
from tests.factories import person, record, update
from tests.tracker.test_returns import make_ready, the_return
from tracker import services
from tracker.models import Challenge, Invitation, Notification, NotificationPreference, OwnerOptOut, QuarterlyReturn
from tracker.models.returns import due_on
from tracker.periods import ReportingPeriod
from tracker.services import notifications

pytestmark = pytest.mark.django_db
NOW = ReportingPeriod.current()


@pytest.fixture(autouse=True)
def deliver_at_once(settings):
    """Delivery runs in the process once the event commits, as `make run` does (the worker is tested apart)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SITE_URL = "https://tracker.example.invalid"


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


@pytest.fixture
def amy(db):
    """West Yorkshire's second approver."""
    return make_user("amy", "approver", "QWO")


@pytest.fixture
def greg(db):
    """Greater Manchester's approver: never told of West Yorkshire's business."""
    return make_user("greg", "approver", "QOP")


@pytest.fixture
def ready(alice, west_yorkshire):
    make_ready(west_yorkshire, alice)
    return the_return()


@pytest.fixture
def signed_off(ready, alice, april, commit):
    commit(services.return_submit, quarterly_return=ready, user=alice)
    commit(services.return_sign_off, quarterly_return=ready, user=april)
    mail.outbox.clear()
    return the_return()


def raise_challenge(quarterly_return, reviewer, commit, text="The evidence does not support amber."):
    return commit(
        services.challenge_raise,
        quarterly_return=quarterly_return,
        recommendation=Recommendation.objects.get(code="NHSCC-4"),
        user=reviewer,
        text=text,
    )


# --- Events ------------------------------------------------------------------------------------------------------


def test_a_submitted_return_is_mailed_to_its_icss_approvers_only(ready, alice, april, amy, bob, greg, rita, commit):
    commit(services.return_submit, quarterly_return=ready, user=alice)

    assert recipients() == ["amy@example.invalid", "april@example.invalid"]
    message = mail.outbox[0]
    assert message.subject == f"West Yorkshire: the {NOW.label} return is ready for sign-off"
    link = f"https://tracker.example.invalid/systems/QWO/returns/{NOW.code}/"
    assert link in message.body and "You are an approver of West Yorkshire" in message.body
    html = message.alternatives[0][0]
    assert f'href="{link}"' in html and "Review and sign off the return" in html
    assert Notification.objects.filter(sent_at__isnull=False).count() == 2


def test_an_approver_who_submits_is_not_told_of_their_own_submission(ready, april, amy, commit):
    commit(services.return_submit, quarterly_return=ready, user=april)
    assert recipients() == ["amy@example.invalid"]


def test_a_signed_off_return_is_mailed_to_its_regions_reviewers_only(ready, alice, april, rita, ray, nadia, commit):
    commit(services.return_submit, quarterly_return=ready, user=alice)
    mail.outbox.clear()
    commit(services.return_sign_off, quarterly_return=ready, user=april)

    assert recipients() == ["rita@example.invalid"]
    assert "signed off" in mail.outbox[0].subject and "give your assurance opinion" in mail.outbox[0].body.lower()


def test_a_challenge_is_mailed_to_the_icss_editors_and_approvers_not_its_viewers(
    signed_off, rita, alice, april, bob, charlie, greg, commit
):
    raise_challenge(signed_off, rita, commit, text="Where is the board paper?")

    assert recipients() == ["alice@example.invalid", "april@example.invalid"]
    assert "NHSCC-4 is challenged" in mail.outbox[0].subject and "Where is the board paper?" in mail.outbox[0].body


def test_an_answer_is_mailed_to_the_reviewer_who_raised_the_challenge(signed_off, rita, alice, april, commit):
    make_user("rhona", "reviewer", region="Y63")
    challenge = raise_challenge(signed_off, rita, commit)
    mail.outbox.clear()

    commit(services.challenge_answer, challenge=Challenge.objects.get(pk=challenge.pk), user=alice, answer="Added.")

    assert recipients() == ["rita@example.invalid"]
    assert "your challenge to NHSCC-4" in mail.outbox[0].subject and "Added." in mail.outbox[0].body


def test_a_new_period_is_mailed_to_each_icss_own_members(alice, bob, april, charlie, commit):
    commit(services.returns_open, NOW.next)

    by_person = {message.to[0]: message.subject for message in mail.outbox}
    assert sorted(by_person) == [
        "alice@example.invalid",
        "april@example.invalid",
        "bob@example.invalid",
        "charlie@example.invalid",
    ]
    assert by_person["alice@example.invalid"].startswith("West Yorkshire:")
    assert by_person["charlie@example.invalid"].startswith("Greater Manchester:")
    mail.outbox.clear()
    commit(services.returns_open, NOW.next)  # opened already: nobody is told twice
    assert mail.outbox == []


def test_an_event_that_fails_tells_nobody(ready, alice, april, west_yorkshire, commit):
    update(west_yorkshire, "NHSCC-4", alice, status="not_assessed")
    with pytest.raises(services.ReturnRefused):
        commit(services.return_submit, quarterly_return=ready, user=alice)
    assert mail.outbox == [] and not Notification.objects.exists()


# --- Reminders ---------------------------------------------------------------------------------------------------


def send_reminders(day: datetime.date) -> None:
    call_command("send_reminders", "--today", day.isoformat(), verbosity=0)


def test_a_return_due_in_14_days_is_mailed_to_its_editors_once(alice, april, bob, greg):
    send_reminders(due_on(NOW) - datetime.timedelta(days=14))

    west_yorkshire = [m for m in mail.outbox if m.subject.startswith("West Yorkshire")]
    assert sorted(m.to[0] for m in west_yorkshire) == ["alice@example.invalid", "april@example.invalid"]
    assert all(f"the {NOW.label} return is due in 14 days" in m.subject for m in west_yorkshire)
    assert [m.to for m in mail.outbox if m.subject.startswith("Greater Manchester")] == [["greg@example.invalid"]]
    sent = len(mail.outbox)

    send_reminders(due_on(NOW) - datetime.timedelta(days=14))
    send_reminders(due_on(NOW) - datetime.timedelta(days=13))
    assert len(mail.outbox) == sent


def test_the_3_day_reminder_and_the_late_notice_come_once_each(alice):
    send_reminders(due_on(NOW) - datetime.timedelta(days=3))
    assert [m.subject for m in mail.outbox] == [f"West Yorkshire: the {NOW.label} return is due in 3 days"]
    send_reminders(due_on(NOW) + datetime.timedelta(days=1))
    send_reminders(due_on(NOW) + datetime.timedelta(days=2))
    assert [m.subject for m in mail.outbox][1:] == [f"West Yorkshire: the {NOW.label} return is late"]


def test_a_signed_off_return_gets_no_reminder(signed_off, alice):
    send_reminders(due_on(NOW) - datetime.timedelta(days=3))
    assert [m for m in mail.outbox if NOW.label in m.subject] == []


@pytest.fixture
def owned(alice, west_yorkshire):
    """NHSCC-4 owned by Olu (no account) and led by Alice (a user, by her email address), target in 10 days."""
    olu = person(west_yorkshire, name="Olu Bello", email="olu@qwo.example.invalid")
    lead = person(west_yorkshire, name="Alice Tester", email="Alice@example.invalid")
    target = timezone.localdate() + datetime.timedelta(days=10)
    update(west_yorkshire, "NHSCC-4", alice, accountable_owner=olu, delivery_lead=lead, target_date=target)
    mail.outbox.clear()
    return record("QWO", "NHSCC-4")


def test_a_target_within_14_days_is_mailed_to_the_items_owners_once(owned, alice, april, charlie):
    send_reminders(timezone.localdate())
    target_mail = [m for m in mail.outbox if "NHSCC-4" in m.subject]

    assert sorted(m.to[0] for m in target_mail) == ["alice@example.invalid", "olu@qwo.example.invalid"]
    olu = next(m for m in target_mail if m.to == ["olu@qwo.example.invalid"])
    assert "Hello Olu Bello" in olu.body and "accountable owner" in olu.body
    assert "https://tracker.example.invalid/systems/QWO/records/NHSCC-4/" in olu.body
    assert "/notifications/unsubscribe/" in olu.body and olu.extra_headers["List-Unsubscribe"]
    alices = next(m for m in target_mail if m.to == ["alice@example.invalid"])
    assert "/notifications/unsubscribe/" not in alices.body and "/notifications/preferences/" in alices.body
    assert Notification.objects.get(recipient_email="alice@example.invalid", kind="target_soon").recipient_user == alice

    send_reminders(timezone.localdate())
    send_reminders(timezone.localdate() + datetime.timedelta(days=1))
    assert len([m for m in mail.outbox if "NHSCC-4" in m.subject]) == 2


def test_a_passed_target_is_mailed_to_the_owners_once(owned):
    send_reminders(owned.target_date + datetime.timedelta(days=1))
    send_reminders(owned.target_date + datetime.timedelta(days=5))
    passed = [m for m in mail.outbox if "has passed" in m.subject]
    assert sorted(m.to[0] for m in passed) == ["alice@example.invalid", "olu@qwo.example.invalid"]


def test_a_reminder_about_demonstration_data_says_so(owned):
    from tracker.models import ProgressRecord
    from tracker.models.progress import record_writes

    with record_writes():  # as the demo generator marks what it invents
        ProgressRecord.objects.filter(pk=owned.pk).update(is_demo=True)
    send_reminders(timezone.localdate())
    [olu] = [m for m in mail.outbox if m.to == ["olu@qwo.example.invalid"]]
    assert olu.subject.startswith("Demo data: ") and "invented demonstration data" in olu.body
    assert "invented demonstration data" in olu.alternatives[0][0]


def test_a_retired_owner_is_not_reminded(owned):
    from tracker.people import person_retire

    person_retire(person=owned.accountable_owner)
    send_reminders(timezone.localdate())
    assert [m.to[0] for m in mail.outbox if "NHSCC-4" in m.subject] == ["alice@example.invalid"]


def test_a_removed_member_no_longer_reads_their_old_ics_notifications(client, ready, alice, april, commit):
    from tracker.services import teams

    commit(services.return_submit, quarterly_return=ready, user=alice)
    client.force_login(april)
    assert "ready for sign-off" in client.get(reverse("tracker:notifications")).content.decode()
    make_user("amina", "approver", "QWO")  # so that April is not the last approver
    teams.membership_remove(membership=april.membership, actor=april)
    assert Notification.objects.filter(recipient_user=april).exists()  # kept, as the outbox's record
    april = type(april).objects.get(pk=april.pk)  # as her next request loads her
    assert Notification.objects.for_user(april).count() == 0


def test_a_completed_item_gets_no_target_reminder(owned, alice, west_yorkshire):
    update(west_yorkshire, "NHSCC-4", alice, status="blue")
    send_reminders(timezone.localdate())
    assert [m for m in mail.outbox if "NHSCC-4" in m.subject] == []


def test_an_owner_without_an_account_unsubscribes_by_the_link_in_the_mail(owned, client):
    send_reminders(timezone.localdate())
    olu = next(m for m in mail.outbox if m.to == ["olu@qwo.example.invalid"])
    link = re.search(r"https://tracker\.example\.invalid(/notifications/unsubscribe/[^\s]+/)", olu.body).group(1)

    page = client.get(link)
    assert page.status_code == 200 and "Unsubscribe" in page.content.decode()
    assert not OwnerOptOut.objects.exists()  # following the link (a mail scanner does) changes nothing
    done = client.post(link)
    assert "will get no more reminders" in done.content.decode()

    mail.outbox.clear()
    send_reminders(owned.target_date + datetime.timedelta(days=1))
    assert [m.to[0] for m in mail.outbox if "NHSCC-4" in m.subject] == ["alice@example.invalid"]


def test_a_forged_unsubscribe_link_is_refused(owned, client):
    assert client.get("/notifications/unsubscribe/1:forged/").status_code == 404
    assert client.post("/notifications/unsubscribe/1:forged/").status_code == 404
    assert not OwnerOptOut.objects.exists()


# --- Preferences and digests -------------------------------------------------------------------------------------


def test_a_user_who_turned_a_kind_off_is_not_told_of_it(ready, alice, april, amy, commit):
    services.notification_preferences_set(user=amy, daily_digest=False, muted_kinds=["submitted"])
    commit(services.return_submit, quarterly_return=ready, user=alice)
    assert recipients() == ["april@example.invalid"]


def test_invitations_cannot_be_turned_off(commit, april, west_yorkshire):
    user = make_user("ivy")
    preference = services.notification_preferences_set(user=user, daily_digest=True, muted_kinds=["invitation"])
    assert preference.muted_kinds == [] and preference.wants("invitation")

    from tracker.services import teams

    invitation = commit(
        teams.invitation_create, inviter=april, email="ivy@example.invalid", role="editor", system=west_yorkshire
    )
    assert recipients() == ["ivy@example.invalid"]
    assert (
        "April Tester (april@example.invalid) has invited you to be an editor of West Yorkshire" in mail.outbox[0].body
    )
    invitation.refresh_from_db()
    token = re.search(r"/invitations/([\w-]+)/", mail.outbox[0].body).group(1)
    assert Invitation.for_token(token) == invitation


def test_an_invitation_withdrawn_before_its_mail_leaves_is_not_mailed(april, west_yorkshire):
    from tracker.services import teams

    invitation = teams.invitation_create(
        inviter=april, email="ivy@example.invalid", role="editor", system=west_yorkshire
    )
    teams.invitation_revoke(invitation=invitation, actor=april)
    queued = Notification.objects.get(kind="invitation")
    assert notifications.notification_deliver(queued.pk) == notifications.SKIPPED
    assert mail.outbox == []
    queued.refresh_from_db()
    assert queued.sent_at is not None and queued.last_error.startswith("Not sent")


def test_a_digest_user_gets_one_mail_a_day_with_everything(ready, alice, april, amy, rita, commit):
    services.notification_preferences_set(user=april, daily_digest=True, muted_kinds=[])
    commit(services.return_submit, quarterly_return=ready, user=alice)
    assert recipients() == ["amy@example.invalid"]  # April's waits for her digest

    send_reminders(due_on(NOW) - datetime.timedelta(days=3))
    [digest] = [m for m in mail.outbox if m.to == ["april@example.invalid"]]
    assert digest.subject == "ICS legacy tracker: your daily digest (2 notifications)"
    assert "ready for sign-off" in digest.body and "due in 3 days" in digest.body
    assert "you chose one mail a day" in digest.body

    mail.outbox.clear()
    send_reminders(due_on(NOW) - datetime.timedelta(days=3))
    assert mail.outbox == []


def test_the_preferences_page_saves_delivery_and_kinds(client, alice):
    client.force_login(alice)
    page = client.get(reverse("tracker:notification_preferences")).content.decode()
    assert 'value="immediate" checked' in page and 'value="submitted" checked' in page
    assert 'value="invitation"' not in page

    kinds = ["period_opened", "return_due", "return_late", "challenge_raised"]
    response = client.post(reverse("tracker:notification_preferences"), {"delivery": "digest", "kinds": kinds})
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=alice)
    assert preference.daily_digest
    assert set(preference.muted_kinds) == {
        "target_soon",
        "target_passed",
        "submitted",
        "signed_off",
        "challenge_answered",
    }


# --- In the app --------------------------------------------------------------------------------------------------


def test_the_header_counts_unread_notifications_and_the_list_marks_them_read(ready, alice, april, amy, client, commit):
    commit(services.return_submit, quarterly_return=ready, user=alice)
    client.force_login(april)

    home = client.get(reverse("tracker:notifications")).content.decode()
    assert "Notifications (1" in home and "Unread" in home and "ready for sign-off" in home

    mine = Notification.objects.get(recipient_user=april)
    opened = client.get(reverse("tracker:notification_open", args=[mine.pk]))
    assert opened.status_code == 302 and opened["Location"] == f"/systems/QWO/returns/{NOW.code}/"
    page = client.get(reverse("tracker:notifications")).content.decode()
    assert "Notifications (" not in page and 'nhsuk-tag--grey">Read<' in page and "Unread" not in page

    client.force_login(amy)
    assert client.get(reverse("tracker:notification_open", args=[mine.pk])).status_code == 404  # not hers
    assert client.post(reverse("tracker:notifications_mark_all_read")).status_code == 302
    assert Notification.objects.get(recipient_user=amy).is_read


def test_someone_elses_notifications_never_show(ready, alice, april, charlie, client, commit):
    commit(services.return_submit, quarterly_return=ready, user=alice)
    client.force_login(charlie)
    page = client.get(reverse("tracker:notifications")).content.decode()
    assert "You have no notifications" in page and "Notifications (" not in page


def test_the_notification_pages_need_a_sign_in(client):
    for name in ("tracker:notifications", "tracker:notification_preferences"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_quarterly_return_is_untouched_by_a_mail_failure(ready, alice, april, commit, settings):
    settings.EMAIL_BACKEND = "tests.tracker.test_notifications.BrokenBackend"
    commit(services.return_submit, quarterly_return=ready, user=alice)

    assert QuarterlyReturn.objects.get(pk=ready.pk).state == "submitted"
    row = Notification.objects.get(recipient_user=april)
    assert row.sent_at is None and row.attempts == 1 and "ConnectionRefusedError" in row.last_error
    assert row.next_attempt_at > timezone.now()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications.notifications_deliver_due() == (0, 0)  # not before its retry time
    later = timezone.now() + datetime.timedelta(minutes=2)
    assert notifications.notifications_deliver_due(now=later) == (1, 0)
    assert notifications.notifications_deliver_due(now=later) == (0, 0)
    assert recipients() == ["april@example.invalid"]


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("[Errno 111] Connection refused")


def test_with_the_worker_delivery_waits_in_the_database_queue_until_the_worker_runs_it(
    ready, alice, april, commit, settings
):
    from django_tasks_db.models import DBTaskResult

    from tracker.tasks import deliver_notification

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    commit(services.return_submit, quarterly_return=ready, user=alice)
    row = Notification.objects.get(recipient_user=april)

    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "tracker.tasks.deliver_notification" and queued.args_kwargs["args"] == [row.pk]
    assert mail.outbox == []  # nothing is sent in the request: the worker sends it

    settings.EMAIL_BACKEND = "tests.tracker.test_notifications.BrokenBackend"
    assert deliver_notification.call(row.pk) == "failed"  # what `db_worker` runs
    retry = DBTaskResult.objects.exclude(pk=queued.pk).get()
    row.refresh_from_db()
    assert retry.run_after == row.next_attempt_at and row.attempts == 1  # the worker tries again after the backoff

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliver_notification.call(row.pk) == "sent"
    assert deliver_notification.call(row.pk) == "skipped"  # a second run of the same task sends nothing
    assert recipients() == ["april@example.invalid"]


def test_the_outbox_is_read_only_in_the_admin(client, admin_user, ready, alice, april, commit, settings):
    settings.EMAIL_BACKEND = "tests.tracker.test_notifications.BrokenBackend"
    commit(services.return_submit, quarterly_return=ready, user=alice)
    client.force_login(admin_user)
    page = client.get(reverse("admin:tracker_notification_changelist")).content.decode()
    assert "april@example.invalid" in page
    assert client.get(reverse("admin:tracker_notification_add")).status_code == 403


def test_notify_refuses_to_run_outside_the_events_transaction(ready, april):
    from django.db import connections

    wrapper = connections["default"]
    wrapper.in_atomic_block = False  # as if called after the event committed, or with no transaction at all
    try:
        with pytest.raises(AssertionError, match="transaction of the event"):
            notifications.notify_submitted(ready, by=None)
    finally:
        wrapper.in_atomic_block = True
    assert not Notification.objects.exists()


def test_a_moved_target_is_a_new_reminder_and_the_old_one_is_not_repeated(owned, alice, west_yorkshire):
    send_reminders(timezone.localdate())
    assert len([m for m in mail.outbox if "NHSCC-4" in m.subject]) == 2
    update(west_yorkshire, "NHSCC-4", alice, target_date=owned.target_date + datetime.timedelta(days=2))

    send_reminders(timezone.localdate())
    moved = [m for m in mail.outbox if "NHSCC-4" in m.subject][2:]
    new_target = owned.target_date + datetime.timedelta(days=2)
    assert len(moved) == 2 and all(f"{new_target:%-d %B %Y}" in m.subject for m in moved)


def test_deliver_notifications_sends_what_the_queue_never_ran_and_only_once(ready, alice, april, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # a queue that loses it
    services.return_submit(quarterly_return=ready, user=alice)  # the commit's callbacks never run either
    assert mail.outbox == []

    call_command("deliver_notifications", verbosity=0)
    call_command("deliver_notifications", verbosity=0)
    assert recipients() == ["april@example.invalid"]


def test_send_reminders_on_two_machines_at_once_sends_each_reminder_once(transactional_db, settings):
    """Two runs in parallel, each with its own database connection, as on two machines: the unique dedupe key and
    the skip-locked delivery let each reminder through once. PostgreSQL only (SQLite has one writer at a time)."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent writers: PostgreSQL")
    call_command("load_reference_data", verbosity=0)  # a transactional test starts from an empty database
    for name, role in (("alice", "editor"), ("april", "approver"), ("amy", "approver")):
        make_user(name, role, "QWO")
    day = due_on(NOW) - datetime.timedelta(days=3)
    barrier, errors = threading.Barrier(2), []

    def machine():
        try:
            barrier.wait()
            send_reminders(day)
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=machine) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    west_yorkshire = sorted(m.to[0] for m in mail.outbox if m.subject.startswith("West Yorkshire"))
    assert west_yorkshire == ["alice@example.invalid", "amy@example.invalid", "april@example.invalid"]
    assert Notification.objects.filter(sent_at__isnull=False).count() == 3


def test_an_owner_whose_account_is_in_another_ics_is_mailed_as_an_owner_not_shown_it_in_the_app(
    alice, charlie, west_yorkshire
):
    outsider_as_owner = person(west_yorkshire, name="Charlie Tester", email="charlie@example.invalid")
    target = timezone.localdate() + datetime.timedelta(days=5)
    update(west_yorkshire, "NHSCC-4", alice, accountable_owner=outsider_as_owner, target_date=target)
    send_reminders(timezone.localdate())

    row = Notification.objects.get(kind="target_soon")
    assert row.recipient_email == "charlie@example.invalid" and row.recipient_user is None
    assert "/notifications/unsubscribe/" in row.body_text
