"""The portal's jobs: what runs on a schedule and what the web server hands off.

Every job is safe to run twice: the functions it calls record each thing once (reminders,
e-mail, digests), top up (1:1 generation) or recompute whole tables (roll-ups); an import job
claims its import with a stamp and resumes after the rows already counted. Schedules are in
UTC. The every-minute and nightly jobs hold a huey lock so a slow run is never overlapped by
the next one (the worker starts with `-f`, which clears locks a killed worker left behind).
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from flask import current_app
from huey import crontab
from huey.exceptions import TaskLockedException

from portal.db import utcnow
from portal.extensions import db
from portal.jobs.queue import huey, in_app_context

log = logging.getLogger(__name__)


# ---- every minute: e-mail --------------------------------------------------------------------


@huey.periodic_task(crontab(minute="*"), name="mail.send_pending")
@in_app_context
def send_pending_mail() -> int | None:
    """Send the e-mails waiting to go (portal.notify.delivery.send_pending)."""
    from portal.notify import delivery

    try:
        with huey.lock_task("mail.send_pending"):
            sent = delivery.send_pending(utcnow())
            log.info("mail: %d e-mail(s) sent", sent)
            return sent
    except TaskLockedException:
        log.info("mail.send_pending: the previous run is still going; skipped")
        return None


@huey.periodic_task(crontab(minute="*"), name="mail.send_digests")
@in_app_context
def send_digests() -> int | None:
    """Send the digests that are due (portal.notify.digests.send_due)."""
    from portal.notify import digests

    try:
        with huey.lock_task("mail.send_digests"):
            sent = digests.send_due(utcnow())
            log.info("digests: %d sent", sent)
            return sent
    except TaskLockedException:
        log.info("mail.send_digests: the previous run is still going; skipped")
        return None


# ---- hourly: reminders -----------------------------------------------------------------------


@huey.periodic_task(crontab(minute="5"), name="reminders.run_all", retries=2, retry_delay=30)
@in_app_context
def send_reminders() -> dict[str, int]:
    """Every reminder (portal.reminders.run_all), at five past each hour."""
    from portal.reminders import run_all

    counts = run_all(utcnow())
    log.info("reminders: %s", counts)
    return counts


# ---- daily: 1:1s and roll-ups ----------------------------------------------------------------


@huey.periodic_task(
    crontab(minute="10", hour="1"), name="coaching.generate", retries=2, retry_delay=60
)
@in_app_context
def generate_one_on_ones() -> int:
    """Top up every active 1:1 series' meetings ahead (`flask coaching generate`), 01:10."""
    from portal.coaching.series import generate_all

    added = generate_all(utcnow())
    log.info("1:1 generation: %d meetings added", added)
    return added


@huey.periodic_task(
    crontab(minute="30", hour="2"), name="rollups.refresh", retries=2, retry_delay=300
)
@in_app_context
def refresh_rollups() -> list[str] | None:
    """The nightly roll-up refresh (`flask rollups refresh`), 02:30."""
    from portal.jobs.rollups import refresh_rollups as refresh

    try:
        with huey.lock_task("rollups.refresh"):
            lines = refresh()
    except TaskLockedException:
        log.info("rollups.refresh: the previous run is still going; skipped")
        return None
    for line in lines:
        log.info("%s", line)
    return lines


# ---- contact imports -------------------------------------------------------------------------


@huey.task(name="contacts.import", retries=3, retry_delay=2)
@in_app_context
def import_contacts(import_id: int, stamp) -> str:
    """Import (or resume) a large contact file saved by the upload page."""
    from portal.qa.contact_import import resume_import

    outcome = resume_import(import_id, stamp)
    log.info("contact import %s: %s", import_id, outcome)
    return outcome


def requeue_imports(*, stale_only: bool) -> list[int]:
    """Queue again the running imports whose job was lost (a worker killed or restarted), i.e.
    not waiting in the queue: all running imports whose file is waiting at start-up, or only
    those with no batch for JOBS_IMPORT_STALE_SECONDS. Each is given a new stamp first, so
    whichever job of it is still running stops without counting anything, and the new job
    resumes after the rows already counted. A stale import whose file is gone is reported
    failed by its job."""
    from portal.qa.contact_import import job_path, restamp, running_imports

    stale_before = None
    if stale_only:
        seconds = current_app.config["JOBS_IMPORT_STALE_SECONDS"]
        stale_before = utcnow() - timedelta(seconds=seconds)
    queued = []
    waiting = {task.args[0] for task in huey.pending() if task.name == import_contacts.name}
    running = running_imports(stale_before)
    db.session.commit()  # end the read: each restamp is a transaction that starts by writing
    for import_id, seen in running:
        if import_id in waiting:
            continue  # its job is in the queue, not lost
        if not stale_only and not job_path(import_id).exists():
            continue  # an inline import in a web request, or one that lost its file
        stamp = restamp(import_id, seen)
        if stamp is not None:
            import_contacts(import_id, stamp)
            queued.append(import_id)
    if queued:
        log.warning("contact imports queued again: %s", queued)
    return queued


@huey.periodic_task(crontab(minute="*"), name="contacts.recover")
@in_app_context
def recover_stale_imports() -> list[int]:
    """Every minute: queue again the imports with no batch for a while."""
    return requeue_imports(stale_only=True)


_started = threading.Event()
_started_lock = threading.Lock()


@huey.on_startup("contacts.recover")
def recover_imports_at_startup() -> None:
    """When a worker starts, before it takes any job (its other threads wait here): the imports
    left running whose job is not in the queue belonged to a worker that is gone; queue them
    again. Once per process, whatever the thread count."""
    with _started_lock:
        if not _started.is_set():
            _started.set()
            in_app_context(requeue_imports)(stale_only=False)
