"""KPI set-up is scoped (portal.policy, "KPI set-up"): HR defines and archives KPIs; a manager
sets, changes and removes targets only for the teams and markets whose people are all in their
subtree; a target out of sight is a 404, one seen but not theirs a 403, and a foreign team or
market posted to the form is refused at the field and never saved.

The world: head (HK) > manager_hk > {sup_a > a1, a2 (team A); sup_b > b1 (team B)};
head > manager_jp (JP) > sup_c > c1 (team C, JP). QA, trainer and HR sit under the head."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from portal import policy
from portal.audit import AuditEntry
from portal.errors import Forbidden, NotFound
from portal.extensions import db
from portal.kpis import definitions
from portal.kpis.models import Kpi, KpiTarget
from portal.org.models import Market, Person, Team
from tests.conftest import as_user, post_form
from tests.factories import MarketFactory, PersonFactory, TeamFactory


def reach(person) -> tuple[set[str], set[str]]:
    """(team names, market codes) whose targets the person sets."""
    teams = policy.kpi_target_reach(person, Person.team_id, Team.id)
    markets = policy.kpi_target_reach(person, Person.market_id, Market.id)
    team_names = db.session.execute(select(Team.name).where(Team.id.in_(teams))).scalars()
    codes = db.session.execute(select(Market.code).where(Market.id.in_(markets))).scalars()
    return set(team_names), set(codes)


def sight(person) -> tuple[set[str], set[str]]:
    teams = policy.kpi_target_sight(person, Person.team_id, Team.id)
    markets = policy.kpi_target_sight(person, Person.market_id, Market.id)
    team_names = db.session.execute(select(Team.name).where(Team.id.in_(teams))).scalars()
    codes = db.session.execute(select(Market.code).where(Market.id.in_(markets))).scalars()
    return set(team_names), set(codes)


ALL_TEAMS = {"Team A", "Team B", "Team C"}


@pytest.mark.parametrize(
    ("name", "teams", "markets"),
    [
        ("sup_a", {"Team A"}, set()),
        ("sup_b", {"Team B"}, set()),
        ("sup_c", {"Team C"}, set()),
        # The head is in HK, outside manager_hk's subtree: HK is not manager_hk's to set.
        ("manager_hk", {"Team A", "Team B"}, set()),
        ("manager_jp", {"Team C"}, {"JP"}),
        ("head", ALL_TEAMS, {"HK", "JP"}),
        ("hr", ALL_TEAMS, {"HK", "JP"}),
        ("agent_a1", set(), set()),
        ("qa", set(), set()),
        ("trainer", set(), set()),
    ],
)
def test_who_reaches_which_teams_and_markets(world, name, teams, markets):
    assert reach(getattr(world, name)) == (teams, markets)


@pytest.mark.parametrize(
    ("name", "teams", "markets"),
    [
        ("sup_a", {"Team A"}, {"HK"}),
        ("manager_hk", {"Team A", "Team B"}, {"HK"}),
        ("manager_jp", {"Team C"}, {"JP"}),
        ("head", ALL_TEAMS, {"HK", "JP"}),
    ],
)
def test_who_sees_which_targets(world, name, teams, markets):
    assert sight(getattr(world, name)) == (teams, markets)


def test_reach_is_always_within_sight(world):
    for name in ("sup_a", "sup_b", "sup_c", "manager_hk", "manager_jp", "head", "hr"):
        person = getattr(world, name)
        reached, seen = reach(person), sight(person)
        assert reached[0] <= seen[0] and reached[1] <= seen[1], name


def test_one_person_of_the_market_elsewhere_takes_the_market_out_of_reach(world):
    assert "JP" in reach(world.manager_jp)[1]
    PersonFactory(manager=world.sup_b, market=world.jp)  # a JP person under manager_hk
    assert "JP" not in reach(world.manager_jp)[1]
    assert "JP" in reach(world.head)[1]


def test_a_deactivated_member_elsewhere_still_counts(world):
    """A past period's figures still count them, so their team stays out of reach."""
    PersonFactory(manager=world.sup_c, team=world.team_a, is_active=False)
    assert "Team A" not in reach(world.sup_a)[0]
    assert "Team A" not in reach(world.manager_hk)[0]
    assert "Team A" in reach(world.head)[0]


def test_an_empty_team_or_market_is_for_hr_and_the_head_only(world):
    empty_team = TeamFactory(name="Team Empty", market=world.hk)
    MarketFactory(code="KR", name="Korea")
    for name in ("sup_a", "manager_hk", "manager_jp"):
        teams, markets = reach(getattr(world, name))
        assert empty_team.name not in teams and "KR" not in markets, name
    for name in ("head", "hr"):
        teams, markets = reach(getattr(world, name))
        assert empty_team.name in teams and "KR" in markets, name


@pytest.fixture
def kpi(world):
    kpi = Kpi(code="csat", name="CSAT", unit="", direction="higher", aggregation="mean", decimals=2)
    db.session.add(kpi)
    db.session.flush()
    db.session.add_all(
        [
            KpiTarget(kpi_id=kpi.id, market_id=world.hk.id, target=Decimal("4.11")),
            KpiTarget(kpi_id=kpi.id, team_id=world.team_a.id, target=Decimal("4.22")),
            KpiTarget(kpi_id=kpi.id, team_id=world.team_b.id, target=Decimal("4.33")),
            KpiTarget(kpi_id=kpi.id, market_id=world.jp.id, target=Decimal("4.44")),
        ]
    )
    db.session.commit()
    return kpi


def targets(kpi) -> dict[tuple[int | None, int | None], Decimal]:
    rows = db.session.execute(
        select(KpiTarget.team_id, KpiTarget.market_id, KpiTarget.target).where(
            KpiTarget.kpi_id == kpi.id
        )
    )
    return {(team, market): value for team, market, value in rows}


def test_the_page_lists_only_the_targets_in_sight_and_offers_only_those_in_reach(
    client, world, kpi
):
    as_user(client, world.sup_b)
    body = client.get(f"/kpis/{kpi.id}").get_data(as_text=True)
    assert "4.11" in body and "4.33" in body  # HK market, team B
    assert "4.22" not in body and "4.44" not in body  # team A, market JP
    assert f'value="team:{world.team_b.id}"' in body
    for foreign in (f"team:{world.team_a.id}", f"market:{world.hk.id}", f"market:{world.jp.id}"):
        assert f'value="{foreign}"' not in body
    # HK's target is seen (sup_b's people are measured against it) but not theirs to remove.
    assert body.count("/delete") == 1
    # The definition is read-only for a manager: no edit or archive form.
    assert f"/kpis/{kpi.id}/edit" not in body and f"/kpis/{kpi.id}/archive" not in body


def test_the_list_counts_only_the_targets_in_sight(client, world, kpi):
    as_user(client, world.sup_a)
    body = client.get("/kpis/").get_data(as_text=True)
    assert "<td>2</td>" in body  # HK market and team A of the four
    assert "/kpis/new" not in body
    as_user(client, world.hr)
    assert "<td>4</td>" in client.get("/kpis/").get_data(as_text=True)


@pytest.mark.parametrize(
    "scope", ["team:{w.team_a.id}", "market:{w.hk.id}", "market:{w.jp.id}", "team:{w.team_c.id}"]
)
def test_a_foreign_team_or_market_is_refused_at_the_field_and_not_saved(client, world, kpi, scope):
    before = targets(kpi)
    as_user(client, world.sup_b)
    data = {"scope": scope.format(w=world), "target": "1.5"}
    response = post_form(client, f"/kpis/{kpi.id}/targets", data)
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    db.session.expire_all()
    assert targets(kpi) == before


def test_a_manager_sets_and_removes_a_target_inside_their_subtree(client, world, kpi):
    as_user(client, world.manager_jp)
    response = post_form(
        client, f"/kpis/{kpi.id}/targets", {"scope": f"market:{world.jp.id}", "target": "4.9"}
    )
    assert response.status_code == 303
    response = post_form(
        client, f"/kpis/{kpi.id}/targets", {"scope": f"team:{world.team_c.id}", "target": "4.8"}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert targets(kpi)[(None, world.jp.id)] == Decimal("4.9")
    team_c = db.session.execute(
        select(KpiTarget).where(KpiTarget.team_id == world.team_c.id)
    ).scalar_one()
    assert post_form(client, f"/kpis/{kpi.id}/targets/{team_c.id}/delete").status_code == 303
    db.session.expire_all()
    assert (world.team_c.id, None) not in targets(kpi)
    actions = db.session.execute(
        select(AuditEntry.action).where(
            AuditEntry.actor_id == world.manager_jp.id, AuditEntry.action.like("kpi.%")
        )
    ).scalars()
    assert sorted(actions) == ["kpi.target_delete", "kpi.target_set", "kpi.target_set"]


def test_removing_a_target_out_of_sight_is_404_and_seen_but_not_theirs_403(client, world, kpi):
    jp = db.session.execute(
        select(KpiTarget).where(KpiTarget.market_id == world.jp.id)
    ).scalar_one()
    hk = db.session.execute(
        select(KpiTarget).where(KpiTarget.market_id == world.hk.id)
    ).scalar_one()
    as_user(client, world.sup_a)
    assert post_form(client, f"/kpis/{kpi.id}/targets/{jp.id}/delete").status_code == 404
    assert post_form(client, f"/kpis/{kpi.id}/targets/{hk.id}/delete").status_code == 403
    # A target of another KPI through this KPI's address: 404, even for HR.
    other = Kpi(code="aht", name="AHT", unit="s", direction="lower", aggregation="mean")
    db.session.add(other)
    db.session.commit()
    as_user(client, world.hr)
    assert post_form(client, f"/kpis/{other.id}/targets/{hk.id}/delete").status_code == 404
    db.session.expire_all()
    assert len(targets(kpi)) == 4


def test_the_services_refuse_foreign_targets_too(world, kpi):
    """The rule holds below the form: a foreign id reaching the service is never saved."""
    with pytest.raises(NotFound):
        definitions.set_target(
            world.sup_a, kpi, market_id=world.jp.id, team_id=None, target=Decimal(1)
        )
    with pytest.raises(Forbidden):
        definitions.set_target(
            world.sup_a, kpi, market_id=world.hk.id, team_id=None, target=Decimal(1)
        )
    with pytest.raises(NotFound):  # a team that does not exist, even for HR
        definitions.set_target(world.hr, kpi, market_id=None, team_id=10**6, target=Decimal(1))
    with pytest.raises(Forbidden):
        definitions.set_archived(world.manager_hk, kpi, True)
    db.session.rollback()
    assert len(targets(kpi)) == 4
    assert not db.session.get(Kpi, kpi.id).is_archived


def test_the_kpis_menu_item_is_offered_to_managers_and_hr_only(client, world):
    for person, offered in [
        (world.sup_a, True),
        (world.hr, True),
        (world.agent_a1, False),
        (world.qa, False),
    ]:
        as_user(client, person)
        body = client.get("/").get_data(as_text=True)
        assert ('href="/kpis/"' in body) is offered, person.name
