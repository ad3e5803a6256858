"""The home page's remembered sections never answer stale: for each kind of write that feeds a
section (one per data area the page shows), read the page (the cache fills), read it again
(nothing is computed), write, read: the section is built afresh and shows the change, equal to
the page with the cache off. Forms and flashed messages are never cached."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from portal.coaching import meetings as meeting_service
from portal.coaching import series as series_service
from portal.extensions import db
from portal.org.models import Grant
from portal.training import kudos
from portal.training.assignments import new_token
from tests.coaching.helpers import meetings_of, setup_series
from tests.conftest import as_user, count_queries
from tests.goals.helpers import make_cycle, ready_review
from tests.qa.programme_helpers import answers_for, make_card, make_contact, make_evaluation
from tests.training import helpers as training

ITEM = re.compile(r'data-item="([^"]+)" data-count="(\d+)">\s*<a href="([^"]+)"')

# Every function the page's sections compute with: (module, attribute). The second read of an
# unchanged page calls none of them.
COMPUTING = [
    ("portal.home.agent", "_evaluations"),
    ("portal.home.agent", "_one_on_one"),
    ("portal.home.agent", "_goals"),
    ("portal.home.agent", "_training"),
    ("portal.home.agent", "_kudos"),
    ("portal.home.supervisor", "_qa"),
    ("portal.home.supervisor", "_one_on_ones"),
    ("portal.home.supervisor", "_reviews"),
    ("portal.home.supervisor", "_calibration"),
    ("portal.qa.calibration_service", "sessions_to_score"),
    ("portal.home.queues", "overdue_training_item"),
    ("portal.home.queues", "running_cycles"),
    ("portal.home.queues", "contact_import_item"),
    ("portal.home.manager", "db"),  # manages_managers' statement (which panels apply)
]


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The keys' clock (today, the 5-minute slice) held still; moments[-1] is 'now'."""
    moments = [datetime.now(UTC).replace(second=0, microsecond=0)]
    monkeypatch.setattr("portal.cache.utcnow", lambda: moments[-1])
    return moments


@pytest.fixture
def calls(monkeypatch):
    """{name: calls} of every computing function (the manager module's `db` counts reads)."""
    import importlib

    counted: dict[str, int] = {}
    for module_name, attr in COMPUTING:
        module = importlib.import_module(module_name)
        original = getattr(module, attr)
        name = f"{module_name}.{attr}"
        counted[name] = 0
        if attr == "db":

            class Counting:
                def __init__(self, real, name):
                    self._real, self._name = real, name

                @property
                def session(self):
                    counted[self._name] += 1
                    return self._real.session

            monkeypatch.setattr(module, attr, Counting(original, name))
            continue

        def wrapper(*args, _original=original, _name=name, **kw):
            counted[_name] += 1
            return _original(*args, **kw)

        monkeypatch.setattr(module, attr, wrapper)
    return counted


def page(client, person) -> tuple[str, dict[str, tuple[int, str]]]:
    as_user(client, person)
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return html, {key: (int(n), url.replace("&amp;", "&")) for key, n, url in ITEM.findall(html)}


def fresh(client, cache, person) -> dict[str, tuple[int, str]]:
    """The page's items built with the cache off: what a cached page must equal."""
    cache.enabled = False
    try:
        return page(client, person)[1]
    finally:
        cache.enabled = True


def count(found, key: str) -> int:
    return found.get(key, (0, ""))[0]


def write_then_read(client, cache, person, key: str, write) -> tuple[int, int]:
    """Read twice (the second from the cache), write, read: (count before, count after); the
    last read is built afresh and equals the page with the cache off."""
    _html, before = page(client, person)
    hits = cache.hits
    _html, again = page(client, person)
    assert again == before and cache.hits > hits, "the second read comes from the cache"
    write()
    misses = cache.misses
    _html, after = page(client, person)
    assert cache.misses > misses, "a write to an area the page reads builds it afresh"
    assert after == fresh(client, cache, person)
    return count(before, key), count(after, key)


# ---- the second read computes nothing --------------------------------------------------------


@pytest.mark.parametrize("who", ["agent_a1", "sup_a", "manager_hk", "head", "qa", "trainer", "hr"])
def test_the_second_read_computes_nothing(app, client, world, calls, who):
    person = getattr(world, who)
    first, _found = page(client, person)
    assert sum(calls.values()) > 0
    calls.update(dict.fromkeys(calls, 0))
    as_user(client, person)
    with count_queries(app) as statements:
        again = client.get("/").get_data(as_text=True)
    assert calls == dict.fromkeys(calls, 0), {k: n for k, n in calls.items() if n}
    assert ITEM.findall(again) == ITEM.findall(first)
    # The data versions, the page's own role checks (reports, HR) and the
    # menu's unread notifications: none of a section's.
    assert len(statements) <= 4, statements


# ---- write then read, per area ----------------------------------------------------------------


def test_qa_an_evaluation_submitted_disputed(client, cache, world):
    card = make_card(world.qa)
    when = datetime.now(UTC) - timedelta(days=2)

    def submitted():
        make_evaluation(card, make_contact(world.agent_a1, when), world.sup_a,
                        answers_for(card, "yes", 3, "Full"))  # fmt: skip

    def disputed():
        make_evaluation(card, make_contact(world.agent_a2, when), world.sup_a,
                        answers_for(card, "yes", 3, "Full"), status="disputed")  # fmt: skip

    assert write_then_read(client, cache, world.agent_a1, "agent.acknowledge", submitted) == (0, 1)
    assert write_then_read(client, cache, world.sup_a, "supervisor.disputes", disputed) == (0, 1)
    assert write_then_read(client, cache, world.qa, "qa.disputes", disputed) == (1, 2)


def test_qa_a_contact_import_with_refused_rows(client, cache, world):
    from portal.qa.models import ContactImport

    def imported():
        db.session.add(ContactImport(imported_by_id=world.qa.id, file_name="refused.csv",
                                     status="done", total_rows=5, error_rows=2))  # fmt: skip
        db.session.commit()

    assert write_then_read(client, cache, world.hr, "hr.contact_imports", imported) == (0, 1)


def test_coaching_an_action_item_added_in_a_one_on_one(client, cache, world):
    series = setup_series(world, now=datetime.now(UTC) - timedelta(days=1))
    now = datetime.now(UTC)
    for s in series.values():
        series_service.generate_meetings(s, now)
    db.session.commit()
    meeting = meetings_of(series[world.agent_a1.id])[0]

    def action():
        meeting_service.add_action_item(world.sup_a, meeting, body="Read the guide",
                                        owner_id=world.agent_a1.id, due_on=date.today(),
                                        request_token=new_token())  # fmt: skip
        db.session.commit()

    assert write_then_read(client, cache, world.agent_a1, "agent.actions", action) == (0, 1)
    assert write_then_read(client, cache, world.sup_a, "supervisor.actions", action) == (1, 2)


def test_goals_a_review_changes_state(client, cache, world):
    made = {}

    def ready():
        made["ready"] = ready_review(world)

    assert write_then_read(client, cache, world.agent_a1, "agent.self_assessment", ready) == (
        0,
        1,
    )

    def submitted():
        made["ready"].review.state = "manager_review"
        db.session.commit()

    assert write_then_read(client, cache, world.sup_a, "supervisor.reviews", submitted) == (0, 1)


def test_goals_a_review_cycle_started_shows_in_hrs_section(client, cache, world):
    before, after = write_then_read(client, cache, world.hr, "hr.cycle", lambda: make_cycle(world))
    assert before == 0 and after > 0


def test_training_an_assignment_overdue(client, cache, world):
    course = training.course(world.hr, title="Refunds MK-LATE")

    def assigned():
        training.assign(world.hr, course, due_on=date.today() - timedelta(days=3),
                        person_id=world.agent_a1.id)  # fmt: skip
        db.session.commit()

    assert write_then_read(client, cache, world.agent_a1, "agent.training", assigned) == (0, 1)
    jp_course = training.course(world.trainer, title="Compliance MK-JP")

    def for_japan():
        training.assign(world.trainer, jp_course, due_on=date.today() - timedelta(days=3),
                        market_id=world.jp.id)  # fmt: skip
        db.session.commit()

    assert write_then_read(client, cache, world.trainer, "trainer.overdue", for_japan) == (0, 3)


def test_recognition_a_kudos_received(client, cache, world):
    def given():
        kudos.give_kudos(world.agent_a2, world.agent_a1.id, "Teamwork", "Thanks!", True,
                         new_token(), url="/recognition/")  # fmt: skip
        db.session.commit()

    assert write_then_read(client, cache, world.agent_a1, "agent.kudos", given) == (0, 1)


def test_org_a_staff_grant_given_shows_its_section(client, cache, world):
    grant = Grant(person_id=world.sup_b.id, role="qa_analyst", team_id=world.team_b.id)
    html, _found = page(client, world.sup_b)
    assert 'data-section="qa"' not in html
    page(client, world.sup_b)
    db.session.add(grant)
    db.session.commit()
    html, _found = page(client, world.sup_b)
    assert 'data-section="qa"' in html


def test_org_a_manager_of_supervisors_gets_the_organisation_panel(client, cache, world):
    html, _found = page(client, world.sup_a)
    assert 'hx-get="/home/sections/manager"' not in html
    world.agent_a1.manager_id = world.sup_b.id  # sup_b now manages someone ...
    world.sup_b.manager_id = world.sup_a.id  # ... and reports to sup_a
    db.session.commit()
    html, _found = page(client, world.sup_a)
    assert 'hx-get="/home/sections/manager"' in html


# ---- the clock, and what is never cached -------------------------------------------------------


def test_the_clock_slice_rebuilds_the_agent_section_not_the_trainer_one(
    client, world, calls, clock
):
    page(client, world.agent_a1)
    page(client, world.trainer)
    calls.update(dict.fromkeys(calls, 0))
    clock.append(clock[-1] + timedelta(minutes=6))  # another 5-minute slice, the same day
    if clock[-1].date() != clock[0].date():
        pytest.skip("the slice crossed midnight UTC")
    page(client, world.agent_a1)
    page(client, world.trainer)
    # Both have their own work (the agent section): the next 1:1 moves with the clock.
    assert calls["portal.home.agent._one_on_one"] == 2
    assert calls["portal.home.queues.overdue_training_item"] == 0, "days only: no clock"


def test_flashed_messages_and_the_csrf_token_are_the_requests_own(client, world, cache):
    page(client, world.agent_a1)
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Saved MK-FLASH")]
    hits = cache.hits
    html, _found = page(client, world.agent_a1)
    assert cache.hits > hits and "Saved MK-FLASH" in html
    assert "Saved MK-FLASH" not in page(client, world.agent_a1)[0], "shown once"


def test_the_csrf_token_is_each_sessions_own(app, client, world, cache):
    first, _found = page(client, world.agent_a1)
    other = app.test_client()
    hits = cache.hits
    second, _found = page(other, world.agent_a1)  # the same viewer: the sections are hits
    assert cache.hits > hits
    tokens = [re.findall(r'name="csrf_token" value="([^"]+)"', html) for html in (first, second)]
    assert tokens[0] and tokens[1] and set(tokens[0]).isdisjoint(tokens[1])
