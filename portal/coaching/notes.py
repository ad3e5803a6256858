"""The supervisor's private notes on a meeting: read and written by their author alone.

They have no `person_id` and no scope reaches them: not the report, not the managers above,
not HR, not any list or export. The only ways in are these two functions, keyed by the author.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal import audit, policy
from portal.coaching.models import OneOnOne, PrivateNote
from portal.errors import Conflict, ValidationFailed
from portal.extensions import db
from portal.org.models import Person


def private_note_for(author: Person, meeting: OneOnOne) -> PrivateNote | None:
    """The author's own private note on the meeting, if they wrote one."""
    return db.session.scalar(
        select(PrivateNote).where(
            PrivateNote.meeting_id == meeting.id, PrivateNote.author_id == author.id
        )
    )


def save_private_note(
    by: Person, meeting: OneOnOne, body: str, *, expected_version: int | None
) -> PrivateNote:
    """Write the supervisor's private note. The audit log records that it changed, never what
    it says (the log is read by HR, who must not read private notes)."""
    policy.require(by, "one_on_one.private_note", meeting)
    if len(body or "") > 20000:
        raise ValidationFailed(field_errors={"private_note": [_("At most 20000 characters.")]})
    note = private_note_for(by, meeting)
    if note is None:
        if expected_version not in (None, 0):
            raise Conflict()
        note = PrivateNote(meeting_id=meeting.id, author_id=by.id, body=body or "")
        db.session.add(note)
        try:
            db.session.flush()
        except IntegrityError as error:
            db.session.rollback()
            raise Conflict() from error
    else:
        if expected_version != note.version:
            raise Conflict()
        note.body = body or ""
    audit.record(
        by, "private_note.save", "one_on_one", meeting.id, None, {"length": len(note.body)}
    )
    db.session.commit()  # a stale version: Conflict (db.ConflictSession)
    return note
