"""`flask demo load` and `flask demo logins`: the demo data every first run starts with.

The demo is built by SECTIONS, called in order with one DemoContext; each later feature adds
its own section (QA contacts and evaluations, 1:1s, goals, ...) after the organisation, reading
the people it needs from the context. Everything is drawn from one seeded generator, so the
demo is the same on every machine (dates are relative to the day it is loaded).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date

import click
from sqlalchemy import select

from portal import audit
from portal.auth.passwords import hash_password
from portal.db import utcnow
from portal.demo.business import load_business
from portal.demo.coaching import load_coaching
from portal.demo.conduct import load_conduct
from portal.demo.context import DemoContext
from portal.demo.goals import load_goals
from portal.demo.improvement import load_improvement
from portal.demo.kpis import load_kpis
from portal.demo.organisation import EMAIL_DOMAIN, load_organisation
from portal.demo.qa import load_qa
from portal.demo.qa_programme import load_qa_programme
from portal.demo.training import load_training
from portal.extensions import db
from portal.org.models import Person

DEMO_PASSWORD = "Portal-Demo-2026!"
DEMO_URL = "http://127.0.0.1:5000"
SEED = 2026

Section = Callable[[DemoContext], None]

# In order: a section may use whatever the sections before it made.
SECTIONS: list[Section] = [
    load_organisation,
    load_qa,
    load_qa_programme,
    load_coaching,
    load_goals,
    load_training,
    load_kpis,
    load_business,
    load_conduct,
    load_improvement,
]

# The fixed sign-ins: e-mail local part and what the person shows in the demo.
LOGINS: list[tuple[str, str]] = [
    ("head", "Head of operations: the whole organisation"),
    ("manager.hk", "Manager, Hong Kong: three supervisors and their teams"),
    ("supervisor.hk", "Supervisor, HK Merchant Care 1"),
    ("agent.hk", "Agent in HK Merchant Care 1: own records only"),
    ("qa", "QA analyst: Hong Kong and Taiwan"),
    ("trainer", "Trainer: Japan, Korea and Vietnam"),
    ("hr", "HR admin: everyone, audit log"),
]


class DemoDataPresent(click.ClickException):
    """Loading the demo on top of existing people would mix the two; refuse instead."""

    def __init__(self) -> None:
        super().__init__(
            "People already exist in this database; the demo loads only into an empty one "
            "(use --if-empty to skip quietly)."
        )


def login_email(local: str) -> str:
    return f"{local}@{EMAIL_DOMAIN}"


def load_demo(if_empty: bool = False, *, seed: int = SEED, today: date | None = None) -> bool:
    """Create the demo organisation and every later section's records; commit once.
    Returns True when it created data; with if_empty it does nothing when any person exists."""
    if db.session.execute(select(Person.id).limit(1)).first() is not None:
        if if_empty:
            return False
        raise DemoDataPresent()
    now = utcnow()
    ctx = DemoContext(
        rng=random.Random(seed),
        today=today or now.date(),
        now=now,
        # One hash for everyone: argon2 is slow on purpose, and this is a demo.
        password_hash=hash_password(DEMO_PASSWORD),
    )
    try:
        for section in SECTIONS:
            section(ctx)
        audit.record(None, "demo.load", "organisation", None, None, dict(ctx.counts))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return True


def logins_text() -> str:
    """A small table of the demo sign-ins, their role and the password, and where to go."""
    rows = [("E-mail", "Role", "Password")]
    rows += [(login_email(local), role, DEMO_PASSWORD) for local, role in LOGINS]
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    lines = [f"Demo portal: {DEMO_URL}", ""]
    for email, role, password in rows:
        lines.append(f"  {email:<{widths[0]}}  {role:<{widths[1]}}  {password}")
    lines += ["", f"Every demo person signs in with the password {DEMO_PASSWORD}"]
    return "\n".join(lines)
