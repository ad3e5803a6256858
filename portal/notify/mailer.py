"""E-mail through Flask-Mailman: the transport chosen from the settings, messages rendered in the
recipient's language and time zone, signed one-click preference links.

Transport (read from the app's config at each send, so a test can point it elsewhere):
- `SMTP_HOST` set: SMTP to SMTP_HOST:SMTP_PORT, STARTTLS / TLS / none per `SMTP_TLS`, with
  SMTP_USER / SMTP_PASSWORD when given;
- else `MAIL_OUTBOX_DIR` (default instance/mail): one `.eml` file per message (the embedded
  default: open them with any mail program);
- else (tests): kept in memory (Flask-Mailman's locmem backend, `outbox()`).
"""

from __future__ import annotations

import os
import ssl
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_mailman import EmailMultiAlternatives, Mail
from flask_mailman.backends.base import BaseEmailBackend
from flask_mailman.backends.locmem import EmailBackend as MemoryBackend
from flask_mailman.backends.smtp import EmailBackend as SmtpBackend
from itsdangerous import BadSignature, URLSafeSerializer

from portal.org.models import Person
from portal.params import INT_MAX

mail = Mail()

PREFERENCE_SALT = "notify.preference-link"  # one salt per purpose of a signed token


class EmlFileBackend(BaseEmailBackend):
    """Writes each message to its own `<time>-<random>.eml` file in a folder (written to a
    temporary name first, then renamed: a reader never sees half a message)."""

    def __init__(self, *args, file_path: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.file_path = Path(file_path or current_app.config["MAIL_OUTBOX_DIR"])

    def send_messages(self, email_messages) -> int:
        if not email_messages:
            return 0
        self.file_path.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
            final = self.file_path / f"{stamp}-{uuid.uuid4().hex[:12]}.eml"
            temporary = final.with_suffix(".tmp")
            temporary.write_bytes(message.message().as_bytes())
            os.replace(temporary, final)
            sent += 1
        return sent


class PortalSmtpBackend(SmtpBackend):
    """Flask-Mailman's SMTP backend, with STARTTLS verifying the server's certificate (the
    library's own STARTTLS passes no context, and smtplib then checks nothing)."""

    def open(self):
        if self.connection:
            return False
        if self.use_ssl or not self.use_tls:
            return super().open()
        from flask_mailman.utils import DNS_NAME

        params: dict = {"local_hostname": DNS_NAME.get_fqdn()}
        if self.timeout is not None:
            params["timeout"] = self.timeout
        try:
            self.connection = self.connection_class(self.host, self.port, **params)
            self.connection.starttls(context=ssl.create_default_context())
            if self.username and self.password:
                self.connection.login(self.username, self.password)
            return True
        except OSError:
            if self.connection is not None:
                try:
                    self.connection.close()
                finally:
                    self.connection = None
            if not self.fail_silently:
                raise
            return None


def _ensure_mail(app: Flask) -> None:
    if "mailman" not in app.extensions:
        mail.init_app(app)


def transport() -> str:
    """ "smtp", "file" or "memory": what a message sent now goes through."""
    config = current_app.config
    if config.get("SMTP_HOST"):
        return "smtp"
    if config.get("MAIL_OUTBOX_DIR"):
        return "file"
    return "memory"


def outbox_folder() -> str | None:
    """The folder the .eml files are written to, when that is the transport (else None)."""
    if transport() != "file":
        return None
    return str(Path(current_app.config["MAIL_OUTBOX_DIR"]).resolve())


def describe_transport() -> str:
    kind = transport()
    config = current_app.config
    if kind == "smtp":
        tls = config.get("SMTP_TLS") or "starttls"
        return f"SMTP {config['SMTP_HOST']}:{config.get('SMTP_PORT')} (TLS: {tls})"
    if kind == "file":
        return f".eml files in {outbox_folder()}"
    return "memory (tests)"


def connection() -> BaseEmailBackend:
    """A backend for the configured transport (open it with `with connection() as c:`)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    _ensure_mail(app)
    config = app.config
    kind = transport()
    if kind == "smtp":
        tls = (config.get("SMTP_TLS") or "starttls").lower()
        return PortalSmtpBackend(
            host=config["SMTP_HOST"],
            port=int(config.get("SMTP_PORT") or 587),
            username=config.get("SMTP_USER") or "",
            password=config.get("SMTP_PASSWORD") or "",
            use_tls=tls == "starttls",
            use_ssl=tls == "ssl",
            timeout=int(config.get("SMTP_TIMEOUT") or 20),
        )
    if kind == "file":
        return EmlFileBackend()
    return MemoryBackend()


def outbox() -> list:
    """The messages kept in memory (the transport when neither SMTP nor a folder is set)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    _ensure_mail(app)
    state = app.extensions["mailman"]
    if not hasattr(state, "outbox"):
        state.outbox = []
    return state.outbox


def absolute_url(path: str) -> str:
    """A link for an e-mail: PORTAL_BASE_URL + the path (only paths are ever stored)."""
    base = current_app.config.get("PORTAL_BASE_URL") or "http://127.0.0.1:5000"
    if not path.startswith("/"):
        path = "/"
    return base.rstrip("/") + path


# --- signed links -----------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=PREFERENCE_SALT)


def preference_token(person_id: int, kind: str) -> str:
    return _serializer().dumps({"p": person_id, "k": kind})


def read_preference_token(token: str) -> tuple[int, str] | None:
    """(person id, kind) from a signed link, or None for anything tampered or malformed."""
    if not token or len(token) > 500:
        return None
    try:
        data = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict):
        return None
    person_id, kind = data.get("p"), data.get("k")
    if type(person_id) is not int or not 0 < person_id <= INT_MAX:  # not a bool, in range
        return None
    if not isinstance(kind, str) or not 0 < len(kind) <= 64:
        return None
    return person_id, kind


def preference_url(person_id: int, kind: str) -> str:
    from portal.web import path_for

    return absolute_url(path_for("notify.preference_link", token=preference_token(person_id, kind)))


# --- the recipient's language and time zone ---------------------------------------------------


def _language(person: Person) -> str:
    languages = current_app.config.get("LANGUAGES") or {"en": "English"}
    return person.locale if person.locale in languages else "en"


def content_language(person: Person) -> str:
    """The BCP 47 tag for the Content-Language header ("zh_Hant" -> "zh-Hant")."""
    return _language(person).replace("_", "-")


@contextmanager
def as_recipient(person: Person) -> Iterator[None]:
    """Render in the person's language and time zone (Flask-Babel's format helpers and
    gettext), then restore whatever the caller had."""
    from flask_babel import _get_current_context  # the per-context cache of locale and zone

    try:
        zone = ZoneInfo(person.time_zone or "UTC")
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    ctx = _get_current_context()
    had_zone = hasattr(ctx, "babel_tzinfo")
    previous_zone = getattr(ctx, "babel_tzinfo", None)
    with force_locale(_language(person)):
        ctx.babel_tzinfo = zone
        try:
            yield
        finally:
            if had_zone:
                ctx.babel_tzinfo = previous_zone
            elif hasattr(ctx, "babel_tzinfo"):
                del ctx.babel_tzinfo


# --- building and sending ---------------------------------------------------------------------


def build_message(
    person: Person,
    subject: str,
    template: str,
    *,
    unsubscribe_url: str | None = None,
    **context,
) -> EmailMultiAlternatives:
    """A plain-text + HTML message from `mail/<template>.txt` and `.html`, rendered in the
    recipient's language and zone (call inside `as_recipient(person)` for the subject too)."""
    context.setdefault("person", person)
    context.setdefault("preferences_url", absolute_url("/notifications/preferences"))
    context.setdefault("portal_url", absolute_url("/"))
    text = render_template(f"mail/{template}.txt", **context)
    html = render_template(f"mail/{template}.html", **context)
    headers = {
        "Content-Language": content_language(person),
        "Auto-Submitted": "auto-generated",
    }
    if unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split())[:200],
        body=text,
        from_email=current_app.config.get("MAIL_FROM"),
        to=[person.email],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message


def send(messages: Sequence[EmailMultiAlternatives], conn: BaseEmailBackend | None = None) -> int:
    """Send through the configured transport; raises on failure (the caller retries)."""
    if not messages:
        return 0
    if conn is not None:
        return conn.send_messages(list(messages)) or 0
    with connection() as opened:
        return opened.send_messages(list(messages)) or 0


def test_message(address: str) -> EmailMultiAlternatives:
    """The message `flask mail test` sends."""
    subject = _("Test message from the performance portal")
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_template("mail/test.txt", transport=describe_transport()),
        from_email=current_app.config.get("MAIL_FROM"),
        to=[address],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(
        render_template("mail/test.html", transport=describe_transport()), "text/html"
    )
    return message
