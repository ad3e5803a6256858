"""The QA report and the calibration picker remember what they compute (the roll-up, the filter
lists, the picker's contacts and evaluators) under the QA and org versions: a second read
computes nothing, and every kind of write that feeds them shows on the next read, equal to the
page built with the cache off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.extensions import db
from portal.org import tree
from portal.org.models import Grant
from portal.qa import evaluations
from portal.qa.evaluation_maths import answer_field
from portal.qa.models import ScorecardVersion
from tests import cache_checks as checks
from tests.conftest import as_user, post_form
from tests.qa.programme_helpers import answers_for, make_card, make_contact, make_evaluation

WHEN = datetime(2026, 11, 3, 3, tzinfo=UTC)
REPORT = "/qa/programme/reports?period=month&on=2026-11-10"
PICKER = "/qa/programme/calibration/new"


Counter = checks.Counter


def read(client, address: str) -> str:
    return checks.read(client, address, checks.without_tokens)


def fresh(client, cache, address: str) -> str:
    return checks.fresh(client, cache, address, checks.without_tokens)


def write_then_read(client, cache, address: str, write, *, changes: bool = True) -> str:
    view = checks.without_tokens
    return checks.write_then_read(client, cache, address, write, view=view, changes=changes)


@pytest.fixture
def card(world):
    return make_card(world.qa)


def _evaluate(card, agent, evaluator, n, answers=None, start=WHEN):
    found = []
    for i in range(n):
        contact = make_contact(agent, start + timedelta(hours=i))
        found.append(
            make_evaluation(
                card, contact, evaluator, answers or answers_for(card, "yes", 3, "Full")
            )
        )
    return found


# ---- the QA report -------------------------------------------------------------------------


def test_report_second_read_computes_nothing(monkeypatch, client, world, card):
    _evaluate(card, world.agent_a1, world.sup_a, 3)
    rollup = Counter(monkeypatch, "portal.blueprints.qaprog.caching.rollup_for")
    nodes = Counter(monkeypatch, "portal.qa.programme_choices.nodes_for")
    lists = Counter(monkeypatch, "portal.blueprints.qaprog.caching.filter_choices")
    as_user(client, world.hr)
    first = read(client, REPORT)
    assert (rollup.calls, nodes.calls, lists.calls) == (1, 1, 1)
    assert read(client, REPORT) == first
    assert (rollup.calls, nodes.calls, lists.calls) == (1, 1, 1)
    read(client, REPORT + "&channel=phone")  # other filters: their own figures
    assert rollup.calls == 2


def test_a_submitted_evaluation_shows_in_the_report(client, cache, world, card):
    _evaluate(card, world.agent_a1, world.sup_a, 5)
    as_user(client, world.hr)
    after = write_then_read(
        client,
        cache,
        REPORT,
        lambda: _evaluate(card, world.agent_b1, world.sup_b, 2, start=WHEN + timedelta(days=1)),
    )
    assert "n = 7" in after


def test_a_disputed_then_rescored_evaluation_shows_in_the_report(client, cache, world, card):
    (ev,) = _evaluate(card, world.agent_a1, world.sup_a, 1, answers_for(card, "yes", 1, "Full"))
    as_user(client, world.hr)

    def dispute():
        evaluations.dispute(
            world.agent_a1, ev, reason="Not me", question_reasons={}, expected_version=ev.version
        )
        db.session.commit()

    write_then_read(client, cache, REPORT, dispute, changes=False)

    def rescore():
        db.session.refresh(ev)
        form = evaluations.form_values(ev.revisions[-1])
        form[answer_field(card.scale.id)] = "4"  # was 1
        evaluations.rescore(
            world.qa, ev, form, reason="Heard it again", expected_version=ev.version
        )
        db.session.commit()

    write_then_read(client, cache, REPORT, rescore)


def test_a_person_moved_shows_in_the_report_and_its_node_list(client, cache, world, card):
    _evaluate(card, world.agent_b1, world.sup_b, 2)
    as_user(client, world.sup_a)
    address = REPORT + f"&node={world.sup_a.id}"

    def move():
        tree.move(world.agent_b1, world.sup_a)
        db.session.commit()

    after = write_then_read(client, cache, address, move)
    assert world.agent_b1.name in after


def test_a_renamed_scorecard_shows_in_the_filter_list(client, cache, world, card):
    as_user(client, world.hr)

    def rename():
        card.scorecard.name = "Renamed card"
        db.session.commit()

    assert "Renamed card" in write_then_read(client, cache, REPORT, rename)


def test_a_hit_is_only_ever_the_same_viewers(client, world, card):
    _evaluate(card, world.agent_a1, world.sup_a, 2)
    as_user(client, world.hr)
    assert world.agent_a1.name in read(client, REPORT)
    as_user(client, world.sup_b)
    assert world.agent_a1.name not in read(client, REPORT)
    for _ in range(2):
        assert client.get(f"{REPORT}&node={world.sup_a.id}").status_code == 404


# ---- the calibration picker ----------------------------------------------------------------


def test_picker_second_read_computes_nothing(monkeypatch, client, world, card):
    make_contact(world.agent_a1, WHEN)
    db.session.commit()
    pickable = Counter(monkeypatch, "portal.qa.calibration_service.pickable_contacts")
    reviewers = Counter(monkeypatch, "portal.qa.programme_choices.reviewers_for")
    versions = Counter(monkeypatch, "portal.qa.programme_choices.published_versions")
    as_user(client, world.qa)
    read(client, PICKER)
    read(client, PICKER)
    assert (pickable.calls, reviewers.calls, versions.calls) == (1, 1, 1)


def test_a_new_contact_shows_in_the_picker(client, cache, world, card):
    make_contact(world.agent_a1, WHEN)
    db.session.commit()
    as_user(client, world.qa)
    added = []

    def write():
        added.append(make_contact(world.agent_a2, WHEN + timedelta(hours=1)))
        db.session.commit()

    after = write_then_read(client, cache, PICKER, write)
    assert f'value="{added[0].id}"' in after


def test_a_published_version_and_a_new_analyst_show_in_the_picker(client, cache, world, card):
    as_user(client, world.qa)

    def publish():
        version = ScorecardVersion(
            scorecard=card.scorecard, number=2, created_by_id=world.qa.id, published_at=WHEN
        )
        db.session.add(version)
        db.session.commit()

    assert "· v2" in write_then_read(client, cache, PICKER, publish)
    name = world.agent_a2.name
    assert f">{name}<" not in read(client, PICKER)

    def grant():
        db.session.add(
            Grant(person_id=world.agent_a2.id, role="qa_analyst", team_id=world.team_a.id)
        )
        db.session.commit()

    assert f">{name}<" in write_then_read(client, cache, PICKER, grant)


def test_a_search_posted_is_in_the_key(client, world, card):
    first = make_contact(world.agent_a1, WHEN)
    second = make_contact(world.agent_a2, WHEN + timedelta(hours=1))
    db.session.commit()
    as_user(client, world.qa)
    page = read(client, PICKER)
    assert f'value="{first.id}"' in page and f'value="{second.id}"' in page
    for shown, hidden in ((first, second), (second, first), (first, second)):
        response = post_form(client, PICKER, {"search": "1", "reference": shown.external_id})
        body = response.get_data(as_text=True)
        assert response.status_code == 200
        assert f'id="pick-{shown.id}"' in body and f'id="pick-{hidden.id}"' not in body
    picked = post_form(client, PICKER, {"search": "1", "pick": [str(second.id)]})
    assert f'id="picked-{second.id}"' in picked.get_data(as_text=True)


def test_the_picker_stays_refused_to_those_who_may_not_create(client, world):
    as_user(client, world.agent_a1)
    for _ in range(2):
        assert client.get(PICKER).status_code in (403, 404)
