"""Recognition programmes: periods, nominations, the owner's decisions, winners, history and
leaderboard, and who sees pending nominations."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from portal.db import utcnow
from portal.errors import Forbidden, InvalidTransition, NotFound
from portal.extensions import db
from portal.notify.models import Notification
from portal.training import programme_rules as rules
from portal.training import programmes
from portal.training.models import Nomination
from tests.conftest import as_user, post_form


@pytest.mark.parametrize(
    ("cadence", "day", "start", "end"),
    [
        ("monthly", date(2026, 11, 23), date(2026, 11, 1), date(2026, 11, 30)),
        ("monthly", date(2026, 2, 1), date(2026, 2, 1), date(2026, 2, 28)),
        ("monthly", date(2026, 12, 31), date(2026, 12, 1), date(2026, 12, 31)),
        ("biweekly", date(2024, 1, 1), date(2024, 1, 1), date(2024, 1, 14)),
        ("biweekly", date(2024, 1, 14), date(2024, 1, 1), date(2024, 1, 14)),
        ("biweekly", date(2024, 1, 15), date(2024, 1, 15), date(2024, 1, 28)),
        ("biweekly", date(2023, 12, 31), date(2023, 12, 18), date(2023, 12, 31)),
    ],
)
def test_periods(cadence, day, start, end):
    assert rules.period_start(cadence, day) == start
    assert rules.period_end(cadence, start) == end


@given(st.dates(date(2000, 1, 1), date(2100, 1, 1)), st.sampled_from(["monthly", "biweekly"]))
def test_every_day_falls_in_its_period(day, cadence):
    start = rules.period_start(cadence, day)
    assert start <= day <= rules.period_end(cadence, start)


def test_transitions_and_leaderboard():
    assert rules.next_status("pending", "approve") == "approved"
    assert rules.next_status("pending", "win") is None  # approve first
    assert rules.next_status("winner", "decline") is None
    assert rules.leaderboard([3, 1, 3, 2, 1, 3]) == [(3, 3), (1, 2), (2, 1)]
    assert rules.may_pick_winner(0, 1) and not rules.may_pick_winner(1, 1)


@pytest.fixture
def programme(world):
    return programmes.create_programme(
        world.manager_hk, name="Star of the month", cadence="monthly", team_id=world.team_a.id,
        market_id=None, winners_per_period=1,
    )  # fmt: skip


def test_nominate_approve_and_pick_a_winner(app, world, programme):
    today = utcnow().date()
    first = programmes.nominate(world.sup_a, programme, world.agent_a1, "Great month", today)
    again = programmes.nominate(world.sup_a, programme, world.agent_a1, "Twice", today)
    assert first.id == again.id
    second = programmes.nominate(world.agent_a1, programme, world.agent_a2, "Helped me", today)
    with pytest.raises(Forbidden):
        programmes.decide(world.sup_a, first, "approve", utcnow())
    programmes.decide(world.manager_hk, first, "approve", utcnow())
    programmes.decide(world.manager_hk, second, "approve", utcnow())
    programmes.decide(world.manager_hk, first, "win", utcnow())
    with pytest.raises(InvalidTransition):
        programmes.decide(world.manager_hk, second, "win", utcnow())  # one winner per period
    assert db.session.scalars(
        select(Notification.person_id).where(Notification.kind == "programme.won")
    ).all() == [world.agent_a1.id]


def test_only_people_in_the_programmes_team_can_be_nominated(app, world, programme):
    today = utcnow().date()
    with pytest.raises(NotFound):
        programmes.nominate(world.sup_b, programme, world.agent_b1, "Not in team A", today)
    with pytest.raises(InvalidTransition):
        programmes.nominate(world.agent_a1, programme, world.agent_a1, "Me", today)


def test_history_and_leaderboard_show_past_winners(app, world, programme):
    for month, person in ((8, world.agent_a1), (9, world.agent_a2), (10, world.agent_a1)):
        db.session.add(
            Nomination(programme_id=programme.id, period_start=date(2026, month, 1),
                       person_id=person.id, nominated_by_id=world.sup_a.id, reason="r",
                       status="winner")
        )  # fmt: skip
    db.session.commit()
    view = programmes.programme_view(world.agent_b1, programme, date(2026, 11, 23))
    assert [start for start, _ in view.history] == [
        date(2026, 10, 1),
        date(2026, 9, 1),
        date(2026, 8, 1),
    ]
    assert view.leaderboard == [(world.agent_a1.name, 2), (world.agent_a2.name, 1)]


def test_pending_nominations_are_seen_by_owner_hr_and_nominator_only(app, client, world, programme):
    programmes.nominate(world.sup_a, programme, world.agent_a1, "Secret reason", utcnow().date())
    for person in (world.manager_hk, world.hr, world.sup_a):
        as_user(client, person)
        assert "Secret reason" in client.get(f"/recognition/programmes/{programme.id}").get_data(
            as_text=True
        )
    for person in (world.agent_a1, world.agent_a2, world.sup_b):
        as_user(client, person)
        assert "Secret reason" not in client.get(
            f"/recognition/programmes/{programme.id}"
        ).get_data(as_text=True)


def test_nominating_through_the_page_and_bad_input(app, client, world, programme):
    as_user(client, world.agent_a2)
    url = f"/recognition/programmes/{programme.id}/nominations"
    bad = post_form(client, url, {"nominee": "W-B1", "reason": "Kept reason"})
    assert bad.status_code == 422 and "Kept reason" in bad.get_data(as_text=True)
    assert post_form(client, url, {"nominee": "W-A1", "reason": "Good"}).status_code == 303
    assert db.session.scalars(select(Nomination.person_id)).all() == [world.agent_a1.id]


def main(response) -> str:
    """The page's own content (the frame around it carries the address and a fresh token)."""
    body = response.get_data(as_text=True)
    return body[body.index("<main") : body.index("</main>")]


def test_deciding_a_nomination_out_of_reach_answers_like_a_missing_one(
    app, client, world, programme
):
    """No existence oracle: a pending nomination someone may not see is the same 404 (same
    page) as an id that does not exist; a visible one they may not decide is a 403."""
    pending = programmes.nominate(world.sup_a, programme, world.agent_a1, "Hidden", utcnow().date())
    approved = programmes.nominate(world.sup_a, programme, world.agent_a2, "Shown", utcnow().date())
    programmes.decide(world.manager_hk, approved, "approve", utcnow())
    missing = approved.id + 1000

    def decide(person, nomination_id: int, action: str = "approve"):
        as_user(client, person)
        return post_form(
            client, f"/recognition/nominations/{nomination_id}/decide", {"action": action}
        )

    for person in (world.agent_a1, world.agent_a2, world.sup_b):
        hidden, absent = decide(person, pending.id), decide(person, missing)
        assert hidden.status_code == absent.status_code == 404
        assert main(hidden) == main(absent)
        assert decide(person, approved.id, "win").status_code == 403  # public, not theirs
    assert decide(world.sup_a, pending.id).status_code == 403  # the nominator sees it
    assert decide(world.hr, missing).status_code == 404
    assert decide(world.manager_hk, pending.id).status_code == 303
    db.session.expire_all()
    assert db.session.get(Nomination, pending.id).status == "approved"
    assert db.session.get(Nomination, approved.id).status == "approved"


def test_get_nomination_goes_through_the_scope(app, world, programme):
    pending = programmes.nominate(world.sup_a, programme, world.agent_a1, "Hidden", utcnow().date())
    for person in (world.sup_a, world.manager_hk, world.hr):
        assert programmes.get_nomination(person, pending.id).id == pending.id
    for person in (world.agent_a1, world.sup_b, world.manager_jp):
        with pytest.raises(NotFound):
            programmes.get_nomination(person, pending.id)
