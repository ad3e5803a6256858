"""`flask` commands: demo data, the audit log (verify, checkpoint, app role), jobs."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="Demo data.")
audit_cli = AppGroup("audit", help="The audit log.")
coaching_cli = AppGroup("coaching", help="1:1s and coaching.")


@coaching_cli.command("generate")
def coaching_generate() -> None:
    """Generate every active 1:1 series' meetings ahead (run daily)."""
    from portal.coaching.series import generate_all
    from portal.db import utcnow

    click.echo(f"{generate_all(utcnow())} meetings added.")


def _report_broken_chain(report) -> None:
    from portal.audit import AuditEntry
    from portal.extensions import db

    click.echo(
        f"Audit chain BROKEN at row {report.first_bad_id}: {report.reason} "
        f"({report.checked} rows before it verified).",
        err=True,
    )
    row = db.session.get(AuditEntry, report.first_bad_id)
    if row is not None:
        record = row.record_type if row.record_id is None else f"{row.record_type} #{row.record_id}"
        click.echo(
            f"  row {row.id}: {row.at.isoformat()} actor={row.actor_id} "
            f"action={row.action} record={record}",
            err=True,
        )


def _report_checkpoint_problems(problems: list[str], shown: int = 20) -> None:
    for problem in problems[:shown]:
        click.echo(f"Audit checkpoint MISMATCH: {problem}.", err=True)
    if len(problems) > shown:
        click.echo(f"  … and {len(problems) - shown} more checkpoint(s) not held.", err=True)


def _checkpoints_or_exit():
    """The configured checkpoint file and its checkpoints (exit 1 when it cannot be read)."""
    from portal import audit_checkpoints

    path = audit_checkpoints.configured_path()
    if path is None:
        return None, []
    try:
        return path, audit_checkpoints.read(path)
    except audit_checkpoints.CheckpointFileError as error:
        click.echo(f"Audit checkpoints unreadable: {error}.", err=True)
        raise SystemExit(1) from error


@audit_cli.command("verify")
def audit_verify() -> None:
    """Recompute the audit log's keyed chain and compare it with the checkpoints; name the first
    altered row and every checkpoint the log no longer holds (a cut tail, a rewritten chain)."""
    from portal import audit_checkpoints
    from portal.audit import verify_chain

    path, checkpoints = _checkpoints_or_exit()
    report = verify_chain()
    problems = audit_checkpoints.compare(checkpoints)
    if report.ok:
        click.echo(f"Audit chain intact: {report.checked} rows verified.")
    else:
        _report_broken_chain(report)
    if path is None:
        click.echo("No checkpoint file configured (AUDIT_CHECKPOINT_FILE): a cut tail is not seen.")
    elif not checkpoints:
        click.echo(
            f"No checkpoints in {path} yet: a cut tail is not seen (flask audit checkpoint)."
        )
    elif not problems:
        newest = checkpoints[-1]
        click.echo(
            f"Checkpoints held: {len(checkpoints)} in {path}, the newest at entry "
            f"{newest.entry_id} ({newest.at.isoformat()})."
        )
    _report_checkpoint_problems(problems)
    if not report.ok or problems:
        raise SystemExit(1)


@audit_cli.command("checkpoint")
def audit_checkpoint() -> None:
    """Append the chain's head (id, hash, time) to the checkpoint file and print it, after
    checking the earlier checkpoints and the rows since the newest (run every few minutes)."""
    from portal import audit_checkpoints
    from portal.audit import verify_chain

    path, checkpoints = _checkpoints_or_exit()
    if path is None:
        raise click.ClickException("AUDIT_CHECKPOINT_FILE is empty: nowhere to write.")
    problems = audit_checkpoints.compare(checkpoints)
    newest = checkpoints[-1] if checkpoints else None
    report = verify_chain(after=(newest.entry_id, newest.hash) if newest and not problems else None)
    if problems or not report.ok:
        if not report.ok:
            _report_broken_chain(report)
        _report_checkpoint_problems(problems)
        click.echo("No checkpoint written: the log does not hold.", err=True)
        raise SystemExit(1)
    head = audit_checkpoints.head()
    if head is None:
        click.echo("The audit log is empty: nothing to checkpoint.")
        return
    audit_checkpoints.append(path, head)
    click.echo(head.line())


@audit_cli.command("grant-app-role")
@click.argument("role")
def audit_grant_app_role(role: str) -> None:
    """Make ROLE the app's PostgreSQL role (run as the owner, after each `flask db upgrade`):
    normal rights on every table, but only INSERT and SELECT on the audit log."""
    from portal.audit_roles import RoleRefused, grant_app_role
    from portal.extensions import db

    try:
        statements = grant_app_role(role)
    except RoleRefused as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    for statement in statements:
        click.echo(f"{statement};")
    click.echo(f"{role} is the app role: it may only INSERT and SELECT the audit log.")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when people already exist.")
def demo_load(if_empty: bool) -> None:
    """Load the demo organisation (about 150 people)."""
    from portal.demo import load

    created = load.load_demo(if_empty=if_empty)
    click.echo("Demo data loaded." if created else "Demo data already present; nothing loaded.")


@demo_cli.command("large")
@click.option("--people", default=5_000, show_default=True)
@click.option("--evaluations", default=1_000_000, show_default=True)
@click.option("--meetings", default=250_000, show_default=True)
@click.option("--days", default=730, show_default=True, help="Days of daily KPI values.")
@click.option("--seed", default=2026, show_default=True)
@click.option("--force", is_flag=True, help="Empty every table of a non-empty database first.")
def demo_large(
    people: int, evaluations: int, meetings: int, days: int, seed: int, force: bool
) -> None:
    """Generate the large data set (PostgreSQL only, by COPY) for benchmarks."""
    from portal.demo import large
    from portal.demo.load import DEMO_PASSWORD

    options = large.Options(
        people=people, evaluations=evaluations, meetings=meetings, days=days, seed=seed
    )
    try:
        report = large.generate(options, force=force)
    except large.LargeRefused as error:
        raise click.ClickException(str(error)) from error
    for name, rows, seconds in report.timings:
        click.echo(f"  {name:<28} {rows:>12,} rows  {seconds:8.1f} s")
    click.echo(f"  {'total':<28} {'':>12}       {report.total_seconds:8.1f} s")
    click.echo(f"Top manager: {report.top_login} / {DEMO_PASSWORD}")


@demo_cli.command("logins")
def demo_logins() -> None:
    """Print the demo sign-ins."""
    from portal.demo import load

    click.echo(load.logins_text())


training_cli = AppGroup("training", help="Training housekeeping.")


@training_cli.command("reminders")
def training_reminders() -> None:
    """Record renewal reminders for certifications entering their alert window and overdue
    notices for assigned training, each once (run daily)."""
    from portal.db import utcnow
    from portal.training.assignments import send_overdue_notices
    from portal.training.certifications import send_renewal_reminders

    now = utcnow()
    click.echo(f"{send_renewal_reminders(now.date(), now)} renewal reminder(s) recorded")
    click.echo(f"{send_overdue_notices(now.date())} overdue notice(s) recorded")


goals_cli = AppGroup("goals", help="Goals and reviews housekeeping.")


@goals_cli.command("reminders")
def goals_reminders() -> None:
    """Record a reminder for each overdue review phase, for whoever has to act, once (run
    daily)."""
    from portal.db import utcnow
    from portal.goals.reminders import send_reminders

    click.echo(f"{send_reminders(utcnow().date())} reminder(s) recorded")


rollups_cli = AppGroup("rollups", help="Pre-aggregated roll-ups for the team views.")


@rollups_cli.command("refresh")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Recompute only the days from this one on (all of it when people changed).",
)
def rollups_refresh(since) -> None:
    """Recompute the daily KPI and QA roll-ups per org node, the evaluator overturn roll-up,
    the best 1:1 meeting per series and week and the 1:1 counts per node and week (run
    nightly, after the KPI import; the job queue runs it daily)."""
    from portal.jobs.rollups import refresh_rollups

    for line in refresh_rollups(since.date() if since else None):
        click.echo(line)


def register_cli(app: Flask) -> None:
    app.cli.add_command(rollups_cli)
    app.cli.add_command(goals_cli)
    app.cli.add_command(training_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(coaching_cli)
    from portal.notify.cli import register as register_notify_cli  # mail, notify

    register_notify_cli(app)
    from portal.api.cli import tokens_cli

    app.cli.add_command(tokens_cli)
