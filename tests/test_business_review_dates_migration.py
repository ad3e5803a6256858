"""Migration 0018 removes business reviews made with a period outside 1900-2100 (their pages
failed for everyone), with their decisions and actions, and keeps every other review."""

from __future__ import annotations

from flask_migrate import upgrade
from sqlalchemy import text

from portal import data_versions
from portal.extensions import db
from tests.factories import build_world
from tests.test_migrations import scratch_app, scratch_url  # noqa: F401 - fixtures


def _review(person_id: int, start: str, end: str, key: str) -> int:
    db.session.execute(
        text(
            "INSERT INTO business_review (kind, person_id, period_start, period_end, scope_key,"
            " title, status, notes, created_by_id, version, created_at, updated_at)"
            " VALUES ('wbr', :p, :s, :e, :k, 't', 'scheduled', '', :p, 1,"
            " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        ),
        {"p": person_id, "s": start, "e": end, "k": key},
    )
    return db.session.scalar(
        text("SELECT id FROM business_review WHERE scope_key = :k"), {"k": key}
    )


def test_reviews_outside_the_dates_are_removed_with_their_items(scratch_app):  # noqa: F811
    with scratch_app.app_context():
        upgrade(revision="0017")
        # No data_version table at 0017: what these writes commit raises no version.
        with data_versions.suspended(db.session):
            world = build_world()
            db.session.commit()
            person = world.sup_a.id
            bad = _review(person, "0001-01-01", "0001-01-07", "bad")
            late = _review(person, "9999-12-27", "9999-12-31", "late")
            good = _review(person, "2026-11-02", "2026-11-08", "good")
            for review in (bad, good):
                db.session.execute(
                    text(
                        "INSERT INTO business_decision (review_id, person_id, body,"
                        " recorded_by_id, recorded_at)"
                        " VALUES (:r, :p, 'decided', :p, CURRENT_TIMESTAMP)"
                    ),
                    {"r": review, "p": person},
                )
            db.session.commit()
        db.session.remove()

        upgrade(revision="0018")

        left = {row[0] for row in db.session.execute(text("SELECT id FROM business_review"))}
        assert good in left and bad not in left and late not in left
        decisions = db.session.execute(text("SELECT review_id FROM business_decision")).all()
        assert [row[0] for row in decisions] == [good]
        db.session.remove()
