"""`flask mail test --to ADDRESS`, `flask notify send`, `flask notify digests`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

mail_cli = AppGroup("mail", help="E-mail.")
notify_cli = AppGroup("notify", help="Notifications: e-mail them and send the digests.")


@mail_cli.command("test")
@click.option("--to", "address", required=True, help="The address to send the test to.")
def mail_test(address: str) -> None:
    """Send one message through whatever is configured and say what happened."""
    from portal.notify import mailer

    how = mailer.describe_transport()
    try:
        sent = mailer.send([mailer.test_message(address)])
    except Exception as error:  # noqa: BLE001 - reported to the operator, exit 1
        click.echo(f"Not sent via {how}: {type(error).__name__}: {error}", err=True)
        raise SystemExit(1) from error
    if not sent:
        click.echo(f"Not sent via {how}: the transport accepted nothing.", err=True)
        raise SystemExit(1)
    click.echo(f"Sent to {address} via {how}.")


@notify_cli.command("send")
def notify_send() -> None:
    """E-mail the notifications due to go out at once (safe to run every minute)."""
    from portal.db import utcnow
    from portal.notify.delivery import send_pending

    click.echo(f"{send_pending(utcnow())} notification e-mails sent.")


@notify_cli.command("digests")
def notify_digests() -> None:
    """Send the daily and weekly digests that are due now (idempotent)."""
    from portal.db import utcnow
    from portal.notify.digests import send_due

    click.echo(f"{send_due(utcnow())} digests sent.")


def register(app: Flask) -> None:
    app.cli.add_command(mail_cli)
    app.cli.add_command(notify_cli)
