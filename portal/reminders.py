"""Every reminder the portal sends on a schedule, in one place: `run_all(now)` calls each
feature's own reminder function (each records a thing once, so running it again is harmless)
and says how many each recorded. The job queue runs it hourly (`portal.jobs.tasks`); the
`flask goals reminders` and `flask training reminders` commands still run their own part."""

from __future__ import annotations

from datetime import datetime


def run_all(now: datetime) -> dict[str, int]:
    """Run every reminder as of `now` (UTC); how many each recorded, by name."""
    from portal.goals.reminders import send_reminders
    from portal.training.assignments import send_overdue_notices
    from portal.training.certifications import send_renewal_reminders

    today = now.date()
    return {
        "review_phases_overdue": send_reminders(today),
        "certification_renewals": send_renewal_reminders(today, now),
        "training_overdue": send_overdue_notices(today),
    }
