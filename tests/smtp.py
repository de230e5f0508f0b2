"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the tests that prove mail leaves by SMTP, and the app pointed at it
as production would be."""

import email
import email.policy
import socket

from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(envelope)
        return "250 Message accepted for delivery"

    def parsed(self):
        return [email.message_from_bytes(m.content, policy=email.policy.default) for m in self.messages]

    def recipients(self) -> list[str]:
        return sorted(address for m in self.messages for address in m.rcpt_tos)


class SMTPServer:
    """A real SMTP server that a test can stop and start again on the same port."""

    def __init__(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.inbox = Inbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def started_for(settings) -> SMTPServer:
    """Start a server and point Django's mail settings at it."""
    server = SMTPServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", server.port, False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "ICS legacy tracker <tracker@example.invalid>"
    return server
