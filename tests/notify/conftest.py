"""A real SMTP server (aiosmtpd) on a free port for the e-mail tests, and the app pointed at it."""

from __future__ import annotations

import smtplib
import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

REAL_SMTP = smtplib.SMTP  # taken before the suite's `no_email` fixture replaces it


class StoringHandler:
    """Keeps every message it accepts; with `fail` set, refuses them with 451 (try later)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.fail = False

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.fail:
            return "451 4.3.0 Temporary failure, try again later"
        self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def _smtp_controller() -> Iterator[tuple[Controller, StoringHandler]]:
    handler = StoringHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


@pytest.fixture
def smtp_server(app, monkeypatch, no_email, _smtp_controller) -> StoringHandler:
    """The app sends through the test SMTP server (no TLS); messages are read back from the
    returned handler (`.messages`, parsed; `.fail = True` makes it answer 451)."""
    controller, handler = _smtp_controller
    handler.messages.clear()
    handler.envelopes.clear()
    handler.fail = False
    monkeypatch.setattr("smtplib.SMTP", REAL_SMTP)
    monkeypatch.setitem(app.config, "SMTP_HOST", controller.hostname)
    monkeypatch.setitem(app.config, "SMTP_PORT", controller.port)
    monkeypatch.setitem(app.config, "SMTP_TLS", "none")
    monkeypatch.setitem(app.config, "SMTP_USER", None)
    monkeypatch.setitem(app.config, "SMTP_PASSWORD", None)
    monkeypatch.setitem(app.config, "SMTP_TIMEOUT", 5)
    monkeypatch.setitem(app.config, "MAIL_FROM", "Portal <portal@example.test>")
    monkeypatch.setitem(app.config, "PORTAL_BASE_URL", "https://portal.example.test")
    yield handler
    handler.fail = False


def parts(message: EmailMessage) -> tuple[str, str]:
    """(plain text, HTML) of a multipart/alternative message."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()
