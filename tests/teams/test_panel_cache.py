"""The panel cache never answers stale: for every kind of write that feeds a panel, read the
panel (the cache fills), read again (served from the cache), write, read again: the answer is
built afresh and equals what the panel shows with the cache off. Plus ETags and 304s."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal import data_versions
from portal.audit import AuditEntry
from portal.coaching.models import OneOnOneSeries
from portal.extensions import db
from portal.goals.models import CheckIn, Goal, Review
from portal.kpis import definitions
from portal.org import tree
from portal.org.models import Grant
from portal.qa import evaluations
from portal.qa.evaluation_maths import answer_field
from portal.qa.evaluation_models import Evaluation
from tests.conftest import as_user, csrf_header, post_form
from tests.kpis.kpi_world import add_value, build_kpis
from tests.qa.programme_helpers import answers_for
from tests.teams import panel_world
from tests.teams.panel_world import OCTOBER

HX = {"HX-Request": "true"}


NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The keys' clock (today, the 5-minute slice) held still: no test depends on the real one."""
    moments = [NOW]
    monkeypatch.setattr("portal.cache.utcnow", lambda: moments[-1])
    return moments


@pytest.fixture
def data(world):
    world.qa_data = panel_world.build_qa(world)
    panel_world.build_one_on_ones(world)
    panel_world.build_goals(world)
    panel_world.build_training(world)
    panel_world.build_kudos(world)
    kw = build_kpis(world)
    for day in (1, 2, 5):
        add_value(world.agent_a1, kw.csat, date(2026, 10, day), value="4.2", weight="10")
        add_value(world.agent_a1, kw.contacts, date(2026, 10, day), value="20")
        add_value(world.agent_a1, kw.aht, date(2026, 10, day), value="300")
    db.session.commit()
    world.kw = kw
    return world


def url(node, key: str) -> str:
    return f"/teams/{node.id}/panels/{key}?{OCTOBER}"


def read(client, address: str) -> str:
    response = client.get(address, headers=HX)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def fresh(client, cache, address: str) -> str:
    """The panel as built with the cache off: the truth a cached answer must equal."""
    cache.enabled = False
    try:
        return read(client, address)
    finally:
        cache.enabled = True


def write_then_read(client, cache, address: str, write, *, changes: bool = True) -> None:
    first = read(client, address)
    hits = cache.hits
    assert read(client, address) == first
    assert cache.hits == hits + 1  # the second read came from the cache
    write()
    misses = cache.misses
    after = read(client, address)
    assert cache.misses == misses + 1  # a new key: built afresh
    assert after == fresh(client, cache, address)
    if changes:
        assert after != first


# ---- KPIs ----------------------------------------------------------------------------------

HEADER = "employee_id,kpi,date,value,numerator,denominator,weight\n"


def test_a_kpi_csv_import_shows_on_the_next_read(client, cache, data):
    w = data
    as_user(client, w.head)
    address = url(w.head, "kpis")

    def write():
        as_user(client, w.sup_a)
        text = HEADER + f"{w.agent_a2.employee_id},contacts,2026-10-06,500,,,\n"
        response = post_form(
            client,
            "/kpis/values/import",
            data={"file": (io.BytesIO(text.encode()), "values.csv")},
            content_type="multipart/form-data",
        )
        assert response.status_code in (303, 204)
        as_user(client, w.head)

    write_then_read(client, cache, address, write)
    assert "560" in read(client, address)  # 3 × 20 + 500


def test_a_kpi_json_import_shows_on_the_next_read(client, cache, data):
    w = data
    as_user(client, w.head)
    address = url(w.head, "kpis")

    def write():
        as_user(client, w.sup_a)
        token = csrf_header(client)
        item = {"employee_id": w.agent_a2.employee_id, "kpi": "contacts", "date": "2026-10-07"}
        response = client.post(
            "/api/kpi-values",
            data=json.dumps({"values": [{**item, "value": 440}]}),
            content_type="application/json",
            headers={"X-CSRFToken": token},
        )
        assert response.status_code == 200
        as_user(client, w.head)

    write_then_read(client, cache, address, write)
    assert "500" in read(client, address)  # 3 × 20 + 440


def test_a_kpi_target_change_shows_on_the_next_read(client, cache, data):
    w = data
    as_user(client, w.sup_a)

    def write():
        definitions.set_target(
            w.hr, w.kw.aht, market_id=w.team_a.market_id, team_id=None, target=Decimal("250")
        )
        db.session.commit()

    write_then_read(client, cache, url(w.sup_a, "kpis"), write)
    assert "250" in read(client, url(w.sup_a, "kpis"))


def test_a_rollups_refresh_raises_the_kpi_version(app, client, cache, data):
    w = data
    as_user(client, w.head)
    before = dict(data_versions.read(db.session))

    def write():
        result = app.test_cli_runner().invoke(args=["rollups", "refresh"])
        assert result.exit_code == 0, result.output
        db.session.expire_all()

    write_then_read(client, cache, url(w.head, "kpis"), write, changes=False)
    db.session.info.pop("data_versions.memo", None)
    after = data_versions.read(db.session)
    assert after["kpis"] > before["kpis"]


# ---- QA ------------------------------------------------------------------------------------


def _evaluations(agent) -> list[Evaluation]:
    stmt = select(Evaluation).where(
        Evaluation.person_id == agent.id, Evaluation.status == "submitted"
    )
    return list(db.session.execute(stmt.order_by(Evaluation.id)).scalars())


def test_a_submitted_evaluation_shows_on_the_next_read(client, cache, data):
    w = data
    as_user(client, w.head)

    def write():
        answers = answers_for(w.qa_data.card, "yes", 4, "Full")
        panel_world.evaluate(w.qa_data.card, w.agent_b1, w.sup_b, date(2026, 10, 16), answers)
        db.session.commit()

    write_then_read(client, cache, url(w.head, "qa"), write)


def test_a_disputed_then_rescored_evaluation_shows_on_the_next_read(client, cache, data):
    w = data
    as_user(client, w.head)
    ev = max(_evaluations(w.agent_a1), key=lambda e: e.submitted_at)  # 20 October

    def dispute():
        evaluations.dispute(
            w.agent_a1, ev, reason="Not me", question_reasons={}, expected_version=ev.version
        )
        db.session.commit()

    write_then_read(client, cache, url(w.head, "qa"), dispute, changes=False)

    def rescore():
        db.session.refresh(ev)
        form = evaluations.form_values(ev.revisions[-1])
        form[answer_field(w.qa_data.card.scale.id)] = "4"  # was 2
        evaluations.rescore(w.qa, ev, form, reason="Heard it again", expected_version=ev.version)
        db.session.commit()

    write_then_read(client, cache, url(w.head, "qa"), rescore)


# ---- 1:1s, goals, reviews, training, recognition --------------------------------------------


def test_a_held_one_on_one_shows_on_the_next_read(client, cache, data):
    w = data
    as_user(client, w.head)
    b1 = db.session.execute(
        select(OneOnOneSeries).where(OneOnOneSeries.person_id == w.agent_b1.id)
    ).scalar_one()

    def write():
        panel_world.meeting(b1, date(2026, 10, 5), "held")
        db.session.commit()

    write_then_read(client, cache, url(w.head, "one-on-ones"), write)


def test_a_goal_check_in_shows_on_the_next_read(client, cache, data):
    w = data
    as_user(client, w.head)
    goal = db.session.execute(select(Goal).where(Goal.person_id == w.agent_b1.id)).scalar_one()

    def write():
        db.session.add(
            CheckIn(
                goal_id=goal.id,
                by_id=w.agent_b1.id,
                value=Decimal(3),
                confidence="on_track",
                token="cache-check-in",
            )
        )
        goal.latest_value = Decimal(3)
        db.session.commit()

    write_then_read(client, cache, url(w.head, "goals"), write)


def test_a_review_state_change_shows_on_the_next_read(client, cache, data):
    w = data
    as_user(client, w.head)
    review = db.session.execute(
        select(Review).where(Review.person_id == w.agent_a1.id)
    ).scalar_one()

    def write():
        review.state = "manager_review"
        db.session.commit()

    write_then_read(client, cache, url(w.head, "goals"), write)


def test_a_training_completion_shows_on_the_next_read(client, cache, data):
    w = data
    as_user(client, w.head)

    def write():
        course = db.session.execute(
            select(panel_world.Course).where(panel_world.Course.title == "Privacy")
        ).scalar_one()
        panel_world._complete(course, w.agent_a2, date(2026, 10, 12))
        db.session.commit()

    write_then_read(client, cache, url(w.head, "training"), write)


def test_a_kudos_shows_on_the_next_read(client, cache, data):
    w = data
    as_user(client, w.head)

    def write():
        panel_world.kudos(w.sup_a, w.agent_a2, "Curiosity", date(2026, 10, 22))
        db.session.commit()

    write_then_read(client, cache, url(w.head, "recognition"), write)
    assert "Curiosity" in read(client, url(w.head, "recognition"))


# ---- who is in a node, who may see it ------------------------------------------------------


def test_a_person_moved_to_another_manager_shows_on_the_next_read(client, cache, data):
    w = data
    as_user(client, w.head)
    keys = ("kpis", "qa", "one-on-ones", "goals", "training", "recognition")
    before = {key: read(client, url(w.sup_a, key)) for key in keys}
    tree.move(w.agent_b1, w.sup_a)  # a Core UPDATE of the subtree's paths
    db.session.commit()
    for key in keys:
        misses = cache.misses
        after = read(client, url(w.sup_a, key))
        assert cache.misses == misses + 1, key
        assert after == fresh(client, cache, url(w.sup_a, key)), key
    assert any(read(client, url(w.sup_a, key)) != before[key] for key in keys)


def test_a_staff_grant_given_and_revoked_shows_on_the_next_read(client, cache, data):
    w = data
    as_user(client, w.sup_a)
    address = url(w.sup_a, "qa")
    grant = Grant(person_id=w.sup_a.id, role="qa_analyst", team_id=w.team_b.id)
    org = data_versions.read(db.session)["org"]

    def give():
        db.session.add(grant)
        db.session.commit()

    def revoke():
        db.session.delete(grant)
        db.session.commit()

    write_then_read(client, cache, address, give, changes=False)
    write_then_read(client, cache, address, revoke, changes=False)
    assert data_versions.read(db.session)["org"] == org + 2


# ---- no write, no work; ETags ----------------------------------------------------------------


def test_without_a_write_the_second_read_builds_nothing(app, client, cache, data, monkeypatch):
    w = data
    as_user(client, w.head)
    calls = []
    from portal.blueprints.teams import area_panels

    real = area_panels.team_qa.team_qa
    monkeypatch.setattr(
        area_panels.team_qa, "team_qa", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    first = read(client, url(w.head, "qa"))
    second = read(client, url(w.head, "qa"))
    assert first == second and len(calls) == 1


def test_the_cache_key_holds_the_viewer(client, cache, data):
    w = data
    as_user(client, w.head)
    head_view = read(client, url(w.sup_a, "qa"))
    as_user(client, w.manager_hk)
    misses = cache.misses
    read(client, url(w.sup_a, "qa"))
    assert cache.misses == misses + 1  # not the head's entry
    assert head_view


def test_a_hit_skips_the_node_check_but_a_viewer_who_may_not_see_it_still_gets_404(
    app, client, cache, data
):
    """The node's visibility is checked when the fragment is built; a hit is an entry built for
    the same viewer under the same org version. Anyone else misses and is checked."""
    w = data
    as_user(client, w.head)
    read(client, url(w.sup_a, "qa"))
    from tests.conftest import count_queries

    with count_queries(app) as statements:
        read(client, url(w.sup_a, "qa"))
    assert not [s for s in statements if "FROM person" in s]
    outsider = app.test_client()
    as_user(outsider, w.agent_c1)
    assert outsider.get(url(w.sup_a, "qa"), headers=HX).status_code == 404
    db.session.add(Grant(person_id=w.agent_c1.id, role="hr_admin"))
    db.session.commit()
    assert outsider.get(url(w.sup_a, "qa"), headers=HX).status_code == 200


def test_after_a_write_to_one_area_the_summary_computes_only_that_tile_again(
    client, cache, data, monkeypatch
):
    from portal.dashboards import summary

    calls: list[str] = []
    for name in ("kpi_tile", "qa_tile", "training_tile"):
        real = getattr(summary, name)

        def counted(*a, _real=real, _name=name, **k):
            calls.append(_name)
            return _real(*a, **k)

        monkeypatch.setattr(summary, name, counted)
    w = data
    as_user(client, w.head)
    first = read(client, url(w.head, "summary"))
    assert sorted(calls) == ["kpi_tile", "qa_tile", "training_tile"]
    calls.clear()
    data_versions.bump(db.session, data_versions.QA)
    db.session.commit()
    assert read(client, url(w.head, "summary")) == first  # the same figures, built again
    assert calls == ["qa_tile"], "the other tiles came from their own cache entries"


def test_a_remembered_result_is_computed_once_per_key_and_again_after_a_write(app, data):
    from flask_login import login_user

    from portal import cache as cache_module

    calls = []

    def compute():
        calls.append(1)
        return {"n": len(calls), "when": date(2026, 10, 1)}

    with app.test_request_context("/x?a=1"):
        login_user(data.head)
        first = cache_module.remembered("test.figures", [data_versions.QA], compute)
        again = cache_module.remembered("test.figures", [data_versions.QA], compute)
        assert first == again == {"n": 1, "when": date(2026, 10, 1)}
        data_versions.bump(db.session, data_versions.QA)
        db.session.commit()
        assert cache_module.remembered("test.figures", [data_versions.QA], compute)["n"] == 2
        data_versions.bump(db.session, data_versions.TRAINING)
        db.session.commit()
        assert cache_module.remembered("test.figures", [data_versions.QA], compute)["n"] == 2


def test_a_panel_answers_304_to_its_etag_and_200_after_a_write(client, data):
    w = data
    as_user(client, w.head)
    address = url(w.head, "recognition")
    first = client.get(address, headers=HX)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache"
    again = client.get(address, headers={**HX, "If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    panel_world.kudos(w.sup_a, w.agent_a2, "Curiosity", date(2026, 10, 22))
    db.session.commit()
    after = client.get(address, headers={**HX, "If-None-Match": etag})
    assert after.status_code == 200 and after.headers["ETag"] != etag
    assert "Curiosity" in after.get_data(as_text=True)


def test_an_export_answers_304_without_an_audit_entry(client, data):
    w = data
    as_user(client, w.head)
    address = f"/teams/{w.head.id}/export/kudos.csv?{OCTOBER}"

    def entries() -> int:
        stmt = select(func.count(AuditEntry.id)).where(AuditEntry.action == "team.export")
        return db.session.execute(stmt).scalar_one()

    first = client.get(address)
    assert first.status_code == 200 and entries() == 1
    again = client.get(address, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and entries() == 1  # nothing sent, nothing recorded
    third = client.get(address)  # from the cache, still recorded
    assert third.status_code == 200 and third.get_data() == first.get_data() and entries() == 2


def test_with_the_cache_off_there_is_no_etag(client, cache, data):
    w = data
    as_user(client, w.head)
    cache.enabled = False
    try:
        response = client.get(url(w.head, "qa"), headers=HX)
    finally:
        cache.enabled = True
    assert "ETag" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


# ---- Redis ---------------------------------------------------------------------------------


def _redis_answers() -> bool:
    try:
        import redis

        return bool(redis.Redis(socket_connect_timeout=0.2, socket_timeout=0.2).ping())
    except Exception:
        return False


@pytest.fixture
def redis_cache(cache):
    if not _redis_answers():
        pytest.skip("no Redis at 127.0.0.1:6379")
    import uuid

    from portal.cache import RedisStore

    local = cache.store
    cache.store = RedisStore("redis://127.0.0.1:6379/0", f"portal-test-{uuid.uuid4().hex}:", 60)
    try:
        yield cache
    finally:
        cache.store.clear()
        cache.store = local


def test_the_redis_store_serves_the_second_read_and_never_a_stale_one(client, redis_cache, data):
    w = data
    as_user(client, w.head)

    def write():
        panel_world.kudos(w.sup_a, w.agent_a2, "Curiosity", date(2026, 10, 22))
        db.session.commit()

    write_then_read(client, redis_cache, url(w.head, "recognition"), write)
    keys = list(redis_cache.store.client.scan_iter(match=redis_cache.store.prefix + "*"))
    assert len(keys) == 2 and all(redis_cache.store.client.ttl(k) > 0 for k in keys)


def test_a_redis_that_does_not_answer_is_no_cache_not_an_error(client, cache, data):
    from portal.cache import RedisStore

    w = data
    as_user(client, w.head)
    local = cache.store
    cache.store = RedisStore("redis://127.0.0.1:1/0", "portal-test-down:", 60)
    try:
        response = client.get(url(w.head, "recognition"), headers=HX)
    finally:
        cache.store = local
    assert response.status_code == 200 and "panel-recognition" in response.get_data(as_text=True)


def test_the_daily_report_shows_a_new_value_on_the_next_read(client, cache, data):
    w = data
    as_user(client, w.head)
    address = f"/teams/{w.head.id}/daily?on=2026-10-05"

    def page() -> str:
        response = client.get(address)
        assert response.status_code == 200 and "ETag" not in response.headers  # a whole page
        body = response.get_data(as_text=True)  # its CSRF token differs each time: the tables
        return body[body.index('aria-labelledby="day-title"') : body.index("</main>")]

    first = page()
    hits = cache.hits
    assert page() == first and cache.hits == hits + 1
    add_value(w.agent_a2, w.kw.contacts, date(2026, 10, 5), value="77")
    db.session.commit()
    after = page()
    cache.enabled = False
    try:
        assert after == page() != first
    finally:
        cache.enabled = True
    assert "97" in after  # 20 + 77


def test_a_panel_that_moves_with_the_clock_is_rebuilt_in_the_next_slice(client, cache, clock, data):
    w = data
    as_user(client, w.head)
    read(client, url(w.head, "one-on-ones"))
    read(client, url(w.head, "recognition"))
    clock.append(NOW + timedelta(minutes=5))
    misses, hits = cache.misses, cache.hits
    read(client, url(w.head, "one-on-ones"))  # a new slice: built again
    read(client, url(w.head, "recognition"))  # not clock-bound: the same entry
    assert (cache.misses, cache.hits) == (misses + 1, hits + 1)
