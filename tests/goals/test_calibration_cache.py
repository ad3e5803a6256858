"""The calibration board and its log are remembered as plain rows under the goals and org
versions: a second read computes nothing, and every kind of write that feeds them (a rating
changed, a close, a review reaching calibration, a person renamed or moved to another position)
shows on the next read, equal to the page built with the cache off."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.goals import calibration, sharing
from portal.org.models import Position
from tests import cache_checks as checks
from tests.conftest import as_user
from tests.factories import PersonFactory
from tests.goals.calibration_helpers import calibration_cycle, to_calibration
from tests.goals.helpers import review_of
from tests.goals.test_calibration_pages import change

HX = {"HX-Request": "true"}


Counter = checks.Counter


def read(client, address: str) -> str:
    return checks.read(client, address, checks.without_tokens)


def fresh(client, cache, address: str) -> str:
    return checks.fresh(client, cache, address, checks.without_tokens)


def write_then_read(client, cache, addresses: list[str], write) -> list[str]:
    return checks.write_then_read(client, cache, addresses, write, view=checks.without_tokens)


@pytest.fixture
def cycle(world):
    return calibration_cycle(world)


def urls(cycle) -> list[str]:
    return [
        f"/goals/calibration?cycle={cycle.id}",
        f"/goals/calibration?cycle={cycle.id}&blind=1",
        f"/goals/calibration/log?cycle={cycle.id}",
    ]


def test_the_second_read_computes_nothing(monkeypatch, client, world, cycle):
    names = ("calibration_for", "changeable_ids", "change_log", "calibrators")
    counters = {n: Counter(monkeypatch, f"portal.goals.calibration.{n}") for n in names}
    as_user(client, world.manager_hk)
    for address in urls(cycle):
        read(client, address)
    calls = {n: c.calls for n, c in counters.items()}
    assert calls["calibration_for"] == 2 and calls["change_log"] == 2
    for address in urls(cycle):
        read(client, address)
    assert {n: c.calls for n, c in counters.items()} == calls


def test_a_rating_changed_shows_on_the_board_and_in_the_log(client, cache, world, cycle):
    a1 = review_of(cycle, world.agent_a1)
    as_user(client, world.manager_hk)

    def write():
        calibration.change_rating(
            a1, world.hr, new_rating=5, reason="Exceptional year", expected_version=a1.version
        )

    board, blind, log = write_then_read(client, cache, urls(cycle), write)
    assert "Exceptional year" in log and "Exceptional year" in board


def test_a_rating_changed_on_the_page_shows_at_once(client, world, cycle):
    a1 = review_of(cycle, world.agent_a1)
    as_user(client, world.manager_hk)
    address = f"/goals/calibration?cycle={cycle.id}&edit={a1.id}"
    assert f'value="{a1.version}"' in read(client, address)
    response = change(client, a1, 4, "Strong second half", headers=HX)
    assert response.status_code == 200
    assert "Strong second half" in response.get_data(as_text=True)
    db.session.refresh(a1)
    again = read(client, address)  # the edit row carries the review's new version
    assert f'value="{a1.version}"' in again and "Strong second half" in again


def test_a_close_takes_the_change_buttons_away(client, cache, world, cycle):
    """A close writes only calibration_close (a goals table: it raises GOALS)."""
    as_user(client, world.manager_hk)
    addresses = urls(cycle)[:2]
    assert "data-change" in read(client, addresses[0])

    def write():
        sharing.close_calibration(cycle, world.hr)

    board, blind = write_then_read(client, cache, addresses, write)
    assert "data-change>" not in board and "data-change " not in board


def test_a_review_reaching_calibration_shows(client, cache, world):
    cycle = calibration_cycle(world, people=[world.agent_a1])
    as_user(client, world.manager_hk)

    def write():
        review = review_of(cycle, world.agent_a2)
        to_calibration(review, review.reviewer, proposed=2)

    board, _blind, _log = write_then_read(client, cache, urls(cycle), write)
    assert world.agent_a2.display_name in board


def test_a_person_renamed_or_given_another_position_shows(client, cache, world, cycle):
    as_user(client, world.manager_hk)
    addresses = urls(cycle)[:1]

    def rename():
        world.agent_b1.name = "Renamed Person"
        db.session.commit()

    assert "Renamed Person" in write_then_read(client, cache, addresses, rename)[0]

    def promote():
        position = Position(code="senior-x", name="Senior agent X", rank=5)
        db.session.add(position)
        db.session.flush()
        world.agent_b1.position_id = position.id
        db.session.commit()

    assert "Senior agent X" in write_then_read(client, cache, addresses, promote)[0]


def test_a_hit_is_only_ever_the_same_viewers(client, world, cycle):
    as_user(client, world.manager_hk)
    assert world.agent_a1.display_name in read(client, urls(cycle)[0])
    as_user(client, world.sup_a)  # the reviewer: calibrates none of them
    assert world.agent_a1.display_name not in read(client, urls(cycle)[0])
    newcomer = PersonFactory(name="No Calibration", manager=world.sup_a)
    db.session.commit()
    as_user(client, newcomer)
    for _ in range(2):
        assert client.get(urls(cycle)[0]).status_code in (403, 404)
