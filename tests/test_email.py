"""Password reset mail: sent over real SMTP, settings from the environment, requests throttled."""

import html
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from conftest import make_user
from tests.smtp import started_for

pytestmark = pytest.mark.django_db
RESET = "/accounts/password_reset/"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1, and the app pointed at it as production would be."""
    server = started_for(settings)
    yield server.inbox
    server.stop()


def test_a_password_reset_arrives_by_smtp_and_its_link_sets_a_new_password(client, alice, smtp_server):
    response = client.post(RESET, {"email": "Alice@example.invalid"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    [mail] = smtp_server.messages
    assert mail.rcpt_tos == ["alice@example.invalid"] and mail.mail_from == "tracker@example.invalid"
    text = mail.content.decode()
    assert "Subject: Reset your ICS legacy tracker password" in text
    link = re.search(r"http://testserver(/accounts/reset/[^/\s]+/[^/\s]+/)", text).group(1)

    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    new_password = "a-new-and-long-passphrase-2026"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302
    assert "Password changed" in client.get(done["Location"]).content.decode()
    assert Client().post(reverse("login"), {"username": "alice", "password": new_password}).status_code == 302


def test_an_unknown_email_gets_the_same_answer_and_no_mail(client, smtp_server):
    response = client.post(RESET, {"email": "nobody@example.invalid"})
    assert response.status_code == 302 and smtp_server.messages == []


def test_the_reset_pages_are_nhs_styled(client):
    body = client.get(RESET).content.decode()
    assert "nhsuk-header" in body and 'class="nhsuk-input"' in body and "Email me a reset link" in body
    assert "Check your email" in client.get(reverse("password_reset_done")).content.decode()
    invalid = client.get(reverse("password_reset_confirm", args=["MQ", "not-a-token"])).content.decode()
    assert "This link no longer works" in invalid


def test_reset_requests_are_throttled_per_email_address(client, alice, smtp_server):
    statuses = [
        client.post(RESET, {"email": "alice@example.invalid"}, REMOTE_ADDR=f"10.0.0.{i}").status_code for i in range(4)
    ]
    assert statuses == [302, 302, 302, 429]
    assert len(smtp_server.messages) == 3
    refused = html.unescape(client.post(RESET, {"email": "alice@example.invalid"}).content.decode())
    assert "Too many password reset requests from this device or for this email address. Wait an hour" in refused


def test_reset_requests_are_throttled_per_address(client, smtp_server):
    statuses = [client.post(RESET, {"email": f"user{i}@example.invalid"}).status_code for i in range(11)]
    assert statuses == [302] * 10 + [429]
    make_user("zoe")
    assert Client().post(RESET, {"email": "zoe@example.invalid"}, REMOTE_ADDR="10.9.9.9").status_code == 302


def email_settings(**env):
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, "
        "s.EMAIL_USE_TLS, s.DEFAULT_FROM_EMAIL, sep='|')"
    )
    base = {"PATH": "/usr/bin:/bin", "SECRET_KEY": "x" * 50}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env={**base, **env}, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().split("|")


def test_mail_settings_come_from_the_environment():
    values = email_settings(
        DEBUG="0",
        EMAIL_HOST="smtp.example.invalid",
        EMAIL_PORT="2525",
        EMAIL_HOST_USER="tracker",
        EMAIL_HOST_PASSWORD="s3cret",
        EMAIL_USE_TLS="1",
        DEFAULT_FROM_EMAIL="tracker@example.invalid",
    )
    assert values == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.invalid",
        "2525",
        "tracker",
        "s3cret",
        "True",
        "tracker@example.invalid",
    ]


def test_a_developer_machine_prints_mail_to_the_console_and_production_sends_it():
    assert email_settings(DEBUG="1")[0] == "django.core.mail.backends.console.EmailBackend"  # `make run`
    assert email_settings(DEBUG="0")[0] == "django.core.mail.backends.smtp.EmailBackend"
    assert email_settings(DEBUG="1", EMAIL_HOST="smtp.example.invalid")[0].endswith("smtp.EmailBackend")
