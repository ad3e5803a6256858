"""The person who uploaded a contact import is told when it finishes (done or failed), with
its counters and a link to its report: large imports run in the background."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.notify.service import notify, register_kind
from portal.qa.models import ContactImport, ImportStatus
from portal.web import path_for

register_kind(
    "import.contacts_done",
    _l(
        "Your contact import %(file)s finished: %(imported)s imported, %(duplicates)s "
        "duplicates, %(errors)s refused"
    ),
    label=_l("A contact import of mine finished"),
)
register_kind(
    "import.contacts_failed",
    _l("Your contact import %(file)s stopped after %(imported)s rows: see its report"),
    label=_l("A contact import of mine failed"),
    urgent=True,
)


def tell_finished(record: ContactImport) -> None:
    """Notify the uploader (added to the session; the caller commits with the record)."""
    done = record.status == ImportStatus.DONE
    kind = "import.contacts_done" if done else "import.contacts_failed"
    notify(
        record.imported_by_id,
        None,  # the uploader started it; the import itself finished it
        kind,
        "contact_import",
        record.id,
        path_for("qa.contact_import_status", import_id=record.id),
        file=record.file_name,
        imported=record.imported_rows,
        duplicates=record.duplicate_rows,
        errors=record.error_rows,
    )
