"""`flask tokens create`: a personal access token for scripts and tests (secret printed once)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

tokens_cli = AppGroup("tokens", help="API tokens (/api/v1).")


@tokens_cli.command("create")
@click.option("--person", "email", required=True, help="The holder's e-mail address.")
@click.option("--scope", "scopes", required=True, help="SCOPE[,SCOPE], e.g. people:read,org:read")
@click.option("--days", default=90, show_default=True, type=int, help="Days until it expires.")
@click.option("--name", default="cli", show_default=True, help="A name to tell it apart.")
def tokens_create(email: str, scopes: str, days: int, name: str) -> None:
    """Create a token and print its secret (shown only now)."""
    from sqlalchemy import func, select

    from portal.api import tokens
    from portal.extensions import db
    from portal.org.models import Person

    person = db.session.execute(
        select(Person).where(func.lower(Person.email) == email.strip().lower())
    ).scalar_one_or_none()
    if person is None:
        raise click.ClickException(f"no person with the e-mail address {email}")
    try:
        token, secret = tokens.issue(person, name, scopes, days)
    except tokens.TokenError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(
        f"Token {token.prefix} ({token.name}) for {person.email}, scopes {token.scopes}, "
        f"expires {token.expires_at:%Y-%m-%d %H:%M} UTC. Secret (shown once):",
        err=True,
    )
    click.echo(secret)
