"""E-mail of notifications through a real SMTP server (aiosmtpd, tests/notify/conftest.py):
headers, both parts, absolute links, the recipient's language and zone, the signed one-click
preference link, retries after a failing server, and `flask mail test`."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import flask_babel
from babel.support import NullTranslations
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.extensions import db
from portal.notify import delivery, mailer, preferences, service
from portal.notify.models import Notification, NotificationPreference
from tests.conftest import as_user, count_queries, post_form
from tests.notify.conftest import parts

service.register_kind(
    "test.urgent",
    _l("%(actor)s needs you on %(what)s"),
    label=_l("Something urgent needs me (test)"),
    urgent=True,
)

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def raise_urgent(world, recipient=None, **params):
    note = service.notify(
        recipient or world.agent_a1,
        world.sup_a,
        "test.urgent",
        "person",
        world.agent_a1.id,
        "/people/42?tab=reviews",
        what="MK-A1",
        **params,
    )
    # Raised a minute before NOW, whatever the clock says (e-mail falls due from then; the
    # flush sets the channel and the due time).
    db.session.flush()
    note.created_at = NOW - timedelta(minutes=1)
    if note.email_next_at is not None:
        note.email_next_at = note.created_at
    db.session.commit()
    return note


def test_urgent_kind_defaults_to_at_once_and_others_to_daily(app, world):
    assert preferences.default_channel("test.urgent") == "immediate"
    assert preferences.default_channel("test.poked") == "daily"
    note = raise_urgent(world)
    assert (note.channel, note.email_state) == ("immediate", "pending")


def test_an_urgent_notification_is_emailed_once_with_both_parts_and_links(app, world, smtp_server):
    note = raise_urgent(
        world, details=["Agenda: handle times", "Open action: call back", "A & B <i>"]
    )
    assert delivery.send_pending(NOW) == 1
    assert delivery.send_pending(NOW + timedelta(minutes=5)) == 0  # never twice
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == world.agent_a1.email
    assert message["From"] == "Portal <portal@example.test>"
    assert "needs you on MK-A1" in message["Subject"]
    assert message["Content-Language"] == "en"
    unsubscribe = message["List-Unsubscribe"].strip()  # may be folded: it is long
    assert re.fullmatch(
        r"<https://portal\.example\.test/notifications/preference/[^>]+>", unsubscribe
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = parts(message)
    for body in (text, html):
        assert "https://portal.example.test/people/42?tab=reviews" in body.replace("&amp;", "&")
        assert "Agenda: handle times" in body and "Open action: call back" in body
        assert "needs you on MK-A1" in body
    assert "A & B <i>" in text and "A &amp; B &lt;i&gt;" in html  # plain text is plain
    db.session.expire_all()
    stored = db.session.get(Notification, note.id)
    assert stored.email_state == "sent" and stored.emailed_at is not None
    assert stored.read_at is None  # still waiting in the portal


def test_recipient_language_and_time_zone(app, world, smtp_server, monkeypatch):
    """No catalogues exist yet: a stand-in translation for "ja" shows the subject's string goes
    through gettext in the recipient's locale; dates are Babel's Japanese format in their zone."""

    class Marked(NullTranslations):
        def ugettext(self, message):
            return f"[ja]{message}" if str(flask_babel.get_locale()) == "ja" else message

        gettext = ugettext

    monkeypatch.setattr(flask_babel.Domain, "get_translations", lambda self: Marked())
    agent = world.agent_a1
    agent.locale, agent.time_zone = "ja", "Asia/Tokyo"
    raise_urgent(world)
    assert delivery.send_pending(NOW) == 1
    message = smtp_server.messages[0]
    assert message["Content-Language"] == "ja"
    assert message["Subject"].startswith("[ja]Performance portal: ")
    text, html = parts(message)
    expected = "2026/12/07 18:59"  # 09:59 UTC is 18:59 in Tokyo; the one format, no seconds
    assert expected in text and expected in html
    assert "2026/12/07 18:59:" not in text
    assert "日本時間" in text and "日本時間" in html and "Asia/Tokyo" not in text
    assert '<html lang="ja">' in html
    # The sender's own context is untouched afterwards.
    assert str(flask_babel.get_locale()) == "en"


def test_the_one_click_link_changes_the_preference_without_signing_in(app, world, smtp_server):
    raise_urgent(world)
    delivery.send_pending(NOW)
    link = smtp_server.messages[0]["List-Unsubscribe"].strip().strip("<>")
    path = link.removeprefix("https://portal.example.test")
    client = app.test_client()
    page = client.get(path)
    assert page.status_code == 200
    assert "Something urgent needs me (test)" in page.get_data(as_text=True)
    # RFC 8058: the mail program POSTs "List-Unsubscribe=One-Click", no CSRF token, no session.
    answer = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    assert preferences.channel_for(world.agent_a1.id, "test.urgent") == "portal"
    # A choice from the page's own form.
    answer = client.post(path, data={"channel": "weekly"})
    assert answer.status_code == 200
    assert preferences.channel_for(world.agent_a1.id, "test.urgent") == "weekly"
    assert client.post(path, data={"channel": "nonsense"}).status_code == 422
    # From now on this kind is not e-mailed at once.
    later = raise_urgent(world)
    assert later.email_state == "digest" and later.channel == "weekly"


def test_a_tampered_or_garbage_link_is_404(app, world):
    token = mailer.preference_token(world.agent_a1.id, "test.urgent")
    client = app.test_client()
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (
        tampered,
        "x",
        "a" * 600,
        "e30.%00",
        mailer.preference_token(999999, "test.urgent"),
    ):
        assert client.get(f"/notifications/preference/{bad}").status_code == 404
        assert client.post(f"/notifications/preference/{bad}").status_code == 404
    other_salt = mailer.URLSafeSerializer(app.config["SECRET_KEY"], salt="other").dumps(
        {"p": world.agent_a1.id, "k": "test.urgent"}
    )
    assert client.get(f"/notifications/preference/{other_salt}").status_code == 404
    signed = mailer.URLSafeSerializer(app.config["SECRET_KEY"], salt=mailer.PREFERENCE_SALT)
    for payload in (
        [1],
        None,
        {"p": "1", "k": "test.urgent"},
        {"p": True, "k": "test.urgent"},
        {"p": 2**40, "k": "test.urgent"},
        {"p": world.agent_a1.id, "k": 5},
    ):
        assert client.get(f"/notifications/preference/{signed.dumps(payload)}").status_code == 404
    unknown_kind = mailer.preference_token(world.agent_a1.id, "no.such.kind")
    assert client.get(f"/notifications/preference/{unknown_kind}").status_code == 404


def test_a_failing_server_keeps_the_notification_and_a_later_call_delivers_it_once(
    app, world, smtp_server
):
    note = raise_urgent(world)
    smtp_server.fail = True
    assert delivery.send_pending(NOW) == 0
    db.session.expire_all()
    stored = db.session.get(Notification, note.id)
    assert stored.email_state == "pending" and stored.email_attempts == 1
    assert stored.email_next_at > NOW and "451" in stored.email_error
    assert [n.id for n in service.page(world.agent_a1, None)] == [note.id]  # still in the portal
    assert delivery.send_pending(NOW + timedelta(seconds=30)) == 0  # not due yet
    assert db.session.get(Notification, note.id).email_attempts == 1
    smtp_server.fail = False
    assert delivery.send_pending(NOW + timedelta(minutes=2)) == 1
    assert delivery.send_pending(NOW + timedelta(minutes=30)) == 0
    assert len(smtp_server.messages) == 1
    db.session.expire_all()
    assert db.session.get(Notification, note.id).email_state == "sent"


def test_an_unreachable_server_counts_attempts_and_gives_up_into_the_portal_only(
    app, world, smtp_server, monkeypatch
):
    note = raise_urgent(world)
    with socket_closed_port() as port:
        monkeypatch.setitem(app.config, "SMTP_PORT", port)
        moment = NOW
        for attempt in range(1, delivery.MAX_ATTEMPTS + 1):
            assert delivery.send_pending(moment) == 0
            db.session.expire_all()
            stored = db.session.get(Notification, note.id)
            assert stored.email_attempts == attempt
            moment = (stored.email_next_at or moment) + timedelta(seconds=1)
    assert stored.email_state == "failed"
    assert stored.read_at is None and service.unread_count(world.agent_a1) == 1


def test_backoff_grows_and_is_capped():
    waits = [delivery.backoff(n) for n in range(1, 15)]
    assert waits[0] == timedelta(minutes=1) and waits[1] == timedelta(minutes=2)
    assert waits == sorted(waits) and max(waits) == delivery.MAX_BACKOFF


def test_a_claimed_notification_is_not_sent_by_a_second_caller(app, world, smtp_server):
    note = raise_urgent(world)
    assert delivery._claim(note.id, NOW)
    assert not delivery._claim(note.id, NOW)  # the other caller loses
    assert delivery.send_pending(NOW) == 0 and smtp_server.messages == []
    # A claim abandoned (the sender died) is released after STALE_CLAIM and sent.
    assert delivery.send_pending(NOW + delivery.STALE_CLAIM + timedelta(minutes=1)) == 1


def test_portal_only_and_inactive_people_get_no_email(app, world, smtp_server):
    preferences.set_channel(world.agent_a2.id, "test.urgent", "portal")
    db.session.commit()
    quiet = raise_urgent(world, recipient=world.agent_a2)
    assert quiet.email_state == "none"
    world.agent_a1.is_active = False
    raise_urgent(world)
    assert delivery.send_pending(NOW) == 0 and smtp_server.messages == []


def test_flask_mail_test_reports_what_happened(app, world, smtp_server):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["mail", "test", "--to", "someone@example.test"])
    assert result.exit_code == 0, result.output
    assert "Sent to someone@example.test via SMTP 127.0.0.1:" in result.output
    assert smtp_server.messages[-1]["To"] == "someone@example.test"
    smtp_server.fail = True
    result = runner.invoke(args=["mail", "test", "--to", "someone@example.test"])
    assert result.exit_code == 1 and "451" in result.output


def test_the_embedded_default_writes_eml_files(app, world, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_HOST", None)
    monkeypatch.setitem(app.config, "MAIL_OUTBOX_DIR", str(tmp_path / "mail"))
    assert mailer.outbox_folder() == str((tmp_path / "mail").resolve())
    result = app.test_cli_runner().invoke(args=["mail", "test", "--to", "x@example.test"])
    assert result.exit_code == 0 and ".eml files in" in result.output
    raise_urgent(world)
    result = app.test_cli_runner().invoke(args=["notify", "send"])
    assert result.exit_code == 0 and "1 notification e-mails sent." in result.output
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in files[1].read_bytes() or (
        b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in files[0].read_bytes()
    )
    assert not list((tmp_path / "mail").glob("*.tmp"))


def test_no_outbox_folder_when_sending_by_smtp(app, smtp_server):
    assert mailer.outbox_folder() is None


def test_preference_rows_are_only_stored_when_not_the_default(app, world):
    assert not preferences.set_channel(world.agent_a1.id, "test.urgent", "immediate")
    assert preferences.set_channel(world.agent_a1.id, "test.urgent", "daily")
    db.session.commit()
    rows = db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.person_id == world.agent_a1.id)
    ).all()
    assert [(r.kind, r.channel) for r in rows] == [("test.urgent", "daily")]


class socket_closed_port:  # noqa: N801 - used as a context manager
    """A local port nothing listens on."""

    def __enter__(self) -> int:
        import socket

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        return self.sock.getsockname()[1]  # bound, not listening: connections are refused

    def __exit__(self, *exc) -> None:
        self.sock.close()


def test_the_preferences_page_saves(app, world):
    client = as_user(app.test_client(), world.agent_a1)
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert "Something urgent needs me (test)" in page
    assert '<label for="k_test_urgent">' in page
    answer = post_form(
        client, "/notifications/preferences", {"k_test_urgent": "weekly", "k_test_poked": "daily"}
    )
    assert answer.status_code == 303
    assert preferences.channel_for(world.agent_a1.id, "test.urgent") == "weekly"
    followed = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Your notification settings were saved." in followed
    assert 'value="weekly" selected' in followed or 'selected value="weekly"' in followed
    bad = post_form(client, "/notifications/preferences", {"k_test_urgent": "sometimes"})
    assert bad.status_code == 422
    assert preferences.channel_for(world.agent_a1.id, "test.urgent") == "weekly"
    assert "/notifications/preferences" in client.get("/notifications/").get_data(as_text=True)


def test_raising_many_notifications_reads_the_preferences_once(app, world):
    """The channel is chosen at the flush for every notification raised meanwhile."""
    preferences.set_channel(world.agent_a2.id, "test.urgent", "weekly")
    db.session.commit()
    people = [world.agent_a1, world.agent_a2, world.sup_b, world.qa, world.trainer, world.hr]
    loaded = [(p.id, p.display_name) for p in [*people, world.sup_a]]  # expired by the commit
    assert len(loaded) == 7
    with count_queries(app) as statements:
        notes = [
            service.notify(p, world.sup_a, "test.urgent", "person", p.id, "/", what="x")
            for p in people
        ]
        db.session.flush()
    reads = [s for s in statements if "notification_preference" in s and "SELECT" in s.upper()]
    assert len(reads) == 1
    chosen = {note.person_id: (note.channel, note.email_state) for note in notes}
    assert chosen[world.agent_a2.id] == ("weekly", "digest")
    assert chosen[world.hr.id] == ("immediate", "pending")
