"""The data's watermark (portal/data_versions.py): which writes raise which area, when, and
that the in-process cache does not outlive a test."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, insert, select, text, update

from portal import data_versions
from portal.audit import AuditEntry
from portal.data_versions import AREAS, DataVersion
from portal.extensions import db
from portal.org.models import Market
from portal.training.models import Kudos


def versions() -> dict[str, int]:
    """Read afresh (not the session's memo)."""
    rows = db.session.execute(select(DataVersion.area, DataVersion.version)).all()
    return {area: int(version) for area, version in rows}


def raised(before: dict[str, int]) -> set[str]:
    after = versions()
    return {area for area in data_versions.KNOWN if after[area] != before[area]}


def test_every_table_is_mapped_to_areas_or_ignored_on_purpose():
    tables = set(db.metadata.tables)
    unknown = tables - set(data_versions.AREAS_BY_TABLE) - data_versions.IGNORED
    assert not unknown, f"decide which data areas these tables feed: {sorted(unknown)}"
    stale = set(data_versions.AREAS_BY_TABLE) - tables
    assert not stale, f"no such tables: {sorted(stale)}"


def test_the_migration_made_one_row_per_area_and_a_random_token():
    found = versions()
    assert set(AREAS) | {data_versions.AUTH, data_versions.TOKEN} == set(found)
    assert found[data_versions.TOKEN] > 0


def test_an_orm_write_raises_its_area_at_the_commit_not_before(world):
    before = versions()
    db.session.add(
        Kudos(
            person_id=world.agent_a1.id,
            giver_id=world.sup_a.id,
            value="Teamwork",
            message="Thanks",
            token="dv-1",
        )
    )
    db.session.flush()
    assert raised(before) == set()
    db.session.commit()
    assert raised(before) == {"recognition"}


def test_a_rolled_back_write_raises_nothing(world):
    before = versions()
    db.session.add(Market(code="XX", name="Nowhere", time_zone="UTC"))
    db.session.flush()
    db.session.rollback()
    db.session.commit()
    assert raised(before) == set()


def test_core_statements_through_the_session_raise_their_table_s_area(world):
    before = versions()
    db.session.execute(update(Market).where(Market.id == world.hk.id).values(name="Hong Kong SAR"))
    db.session.commit()
    assert raised(before) == {"org"}
    before = versions()
    db.session.execute(
        insert(Kudos).values(
            person_id=world.agent_a1.id,
            giver_id=world.sup_a.id,
            value="Teamwork",
            message="Thanks",
            token="dv-2",
            is_public=False,
        )
    )
    db.session.commit()
    assert raised(before) == {"recognition"}
    before = versions()
    db.session.execute(delete(Kudos).where(Kudos.token == "dv-2"))
    db.session.commit()
    assert raised(before) == {"recognition"}


def test_textual_writes_raise_their_table_s_area_and_truncate_raises_all(world):
    before = versions()
    db.session.execute(
        text("UPDATE market SET name = :name WHERE id = :id"), {"name": "HK", "id": world.hk.id}
    )
    db.session.commit()
    assert raised(before) == {"org"}
    assert data_versions.areas_for_sql("TRUNCATE kpi_value, person CASCADE") == set(
        data_versions.KNOWN
    )
    assert data_versions.areas_for_sql("COPY kpi_value (a) FROM STDIN") == {"kpis"}
    assert data_versions.areas_for_sql("SELECT 1 FROM kpi_value") == set()


def test_an_explicit_bump_raises_at_the_commit(world):
    before = versions()
    data_versions.bump(db.session, "qa", "training")
    db.session.commit()
    assert raised(before) == {"qa", "training"}
    with pytest.raises(ValueError):
        data_versions.bump(db.session, "no-such-area")


def test_the_audit_log_raises_nothing_and_sign_ins_raise_only_auth(world):
    from portal import audit
    from portal.auth import sessions
    from portal.db import utcnow

    before = versions()
    audit.record(world.hr, "test.action", "person", world.agent_a1.id, None, {"a": 1})
    db.session.commit()
    assert raised(before) == set()
    assert db.session.execute(select(AuditEntry.id)).first() is not None
    token = sessions.start_session(world.hr, now=utcnow(), address=None, user_agent=None)
    assert raised(before) == {data_versions.AUTH}, "no panel area: a sign-in empties no panel"
    before = versions()
    sessions.end_session_by_token(token, now=utcnow(), reason="signed_out")
    db.session.commit()
    assert raised(before) == {data_versions.AUTH}


def test_a_missing_row_starts_again_instead_of_staying_silent(world):
    db.session.execute(delete(DataVersion).where(DataVersion.area == "goals"))
    db.session.commit()
    data_versions.bump(db.session, "goals")
    db.session.commit()
    assert versions()["goals"] > 0


def test_a_person_moved_raises_org(world):
    from portal.org import tree

    before = versions()
    tree.move(world.agent_b1, world.sup_a)
    db.session.commit()
    assert "org" in raised(before)


def test_the_reading_is_remembered_until_the_session_commits(world):
    first = data_versions.read(db.session)
    data_versions.bump(db.session, "kpis")
    assert data_versions.read(db.session) is first
    db.session.commit()
    assert data_versions.read(db.session)["kpis"] == first["kpis"] + 1


# Two tests in this order: the first fills the cache, the second must find it empty (the
# versions rolled back to the same numbers, so a surviving entry would be a stale read).


def test_cross_test_bleed_first_fills_the_cache(app):
    cache = app.extensions["portal_cache"]
    cache.get_or_build("a key", lambda: "from the first test")
    assert cache.get_or_build("a key", lambda: "rebuilt") == "from the first test"


def test_cross_test_bleed_second_finds_it_empty(app):
    cache = app.extensions["portal_cache"]
    assert cache.get_or_build("a key", lambda: "rebuilt") == "rebuilt"


def test_the_local_store_evicts_the_least_recently_used_and_expired():
    from portal.cache import LocalStore

    store = LocalStore(max_entries=2, ttl=60)
    store.set("a", "1")
    store.set("b", "2")
    assert store.get("a") == "1"  # a is now the most recent
    store.set("c", "3")
    assert store.get("b") is None and store.get("a") == "1" and store.get("c") == "3"
    expired = LocalStore(max_entries=2, ttl=-1)
    expired.set("a", "1")
    assert expired.get("a") is None


def test_a_password_change_raises_nothing_and_a_time_zone_change_raises_org(world):
    from portal.db import utcnow

    before = versions()
    world.agent_a1.password_changed_at = utcnow()
    db.session.commit()
    assert raised(before) == set()
    world.agent_a1.time_zone = "Asia/Tokyo"
    db.session.commit()
    assert raised(before) == {"org"}


def test_a_suspended_session_raises_nothing_and_raises_again_after(world):
    before = versions()
    with data_versions.suspended(db.session):
        db.session.add(
            Kudos(
                person_id=world.agent_a1.id,
                giver_id=world.sup_a.id,
                value="Teamwork",
                message="Quiet",
                token="dv-suspended",
            )
        )
        db.session.commit()
    assert raised(before) == set()
    db.session.add(
        Kudos(
            person_id=world.agent_a1.id,
            giver_id=world.sup_a.id,
            value="Teamwork",
            message="Heard",
            token="dv-after",
        )
    )
    db.session.commit()
    assert raised(before) == {"recognition"}
