"""QA reports: the default period (the last four full weeks in the viewer's zone) and questions
labelled with their scorecard on the report, the daily report, the drill-down and the export."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.qa import rollups
from portal.qa.rollups import PeriodKind, QuestionFailures
from tests.conftest import as_user
from tests.qa.programme_helpers import answers_for, make_card, make_contact, make_evaluation


@pytest.mark.parametrize(
    "today, first, last",
    [
        # A Monday: the week that just began is not full, so the four before it.
        (date(2026, 12, 7), date(2026, 11, 9), date(2026, 12, 6)),
        # A Sunday: its own week is not over yet.
        (date(2026, 12, 6), date(2026, 11, 2), date(2026, 11, 29)),
        # The first of a month (a Tuesday): weeks cross the month and the year freely.
        (date(2026, 12, 1), date(2026, 11, 2), date(2026, 11, 29)),
        (date(2027, 1, 1), date(2026, 11, 30), date(2026, 12, 27)),
        # A leap year's February.
        (date(2028, 3, 1), date(2028, 1, 31), date(2028, 2, 27)),
    ],
)
def test_the_last_four_full_weeks_end_on_the_sunday_before_this_week(today, first, last):
    assert rollups.last_full_weeks(today) == (first, last)
    assert rollups.period_range(PeriodKind.LAST_4_WEEKS, today) == (first, last)
    assert first.weekday() == 0 and last.weekday() == 6
    assert (last - first).days == 27


@pytest.mark.parametrize(
    "now, zone, expected",
    [
        # Sunday 23:30 UTC is already Monday in Hong Kong: a new week has begun there.
        (datetime(2026, 12, 6, 23, 30, tzinfo=UTC), "Asia/Hong_Kong", date(2026, 11, 9)),
        (datetime(2026, 12, 6, 23, 30, tzinfo=UTC), "UTC", date(2026, 11, 2)),
        # Monday 02:00 UTC is still Sunday in New York.
        (datetime(2026, 12, 7, 2, 0, tzinfo=UTC), "America/New_York", date(2026, 11, 2)),
        (datetime(2026, 12, 7, 2, 0, tzinfo=UTC), "", date(2026, 11, 9)),
        (datetime(2026, 12, 7, 2, 0, tzinfo=UTC), "Not/AZone", date(2026, 11, 9)),
    ],
)
def test_the_default_period_is_computed_in_the_viewers_time_zone(now, zone, expected):
    # What the report views do without a date: the period holding the viewer's local today.
    first, last = rollups.period_range(PeriodKind.LAST_4_WEEKS, rollups.local_today(now, zone))
    assert first == expected and last == first + timedelta(days=27)


def test_the_same_wording_in_two_versions_of_one_scorecard_is_told_apart():
    rows = [
        QuestionFailures(1, "Greeting", 4, 2, scorecard="Voice", version=1),
        QuestionFailures(2, "Greeting", 4, 1, scorecard="Voice", version=2),
        QuestionFailures(3, "Greeting", 4, 1, scorecard="Chat", version=1),
    ]
    labelled = rollups.label_scorecards(rows)
    assert [r.scorecard for r in labelled] == ["Voice (v1)", "Voice (v2)", "Chat"]
    assert labelled[2].label == "Greeting · Chat"


@pytest.fixture
def two_cards(world):
    return make_card(world.qa, "Voice card"), make_card(world.qa, "Chat card")


def _evaluate(card, agent, evaluator, when, n=1):
    for i in range(n):
        contact = make_contact(agent, when + timedelta(hours=i))
        make_evaluation(card, contact, evaluator, answers_for(card, "no", 0, "None"))


def _question_rows(html: str) -> list[str]:
    table = html.split('id="q-h"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td>", table)
    return [f"{text} · {card}" for text, card in rows]


def test_the_report_opens_on_the_last_four_full_weeks_and_says_so(client, world, two_cards):
    voice, _chat = two_cards
    today = datetime.now(UTC).astimezone(ZoneInfo(world.hr.time_zone)).date()
    first, last = rollups.last_full_weeks(today)
    inside = datetime.combine(first + timedelta(days=3), datetime.min.time(), tzinfo=UTC)
    this_week = datetime.now(UTC) - timedelta(minutes=5)
    _evaluate(voice, world.agent_a1, world.sup_a, inside, n=2)
    if this_week.astimezone(ZoneInfo(world.hr.time_zone)).date() > last:
        _evaluate(voice, world.agent_a1, world.sup_a, this_week, n=1)
    as_user(client, world.hr)
    html = client.get("/qa/programme/reports").get_data(as_text=True)
    assert "(Last 4 full weeks)" in html
    assert re.search(r'<option selected value="last4weeks">Last 4 full weeks</option>', html)
    figures = re.search(r'Evaluations</div><div class="figure-value">(\d+)</div>', html)
    assert figures and figures.group(1) == "2", "only the four full weeks are counted"
    month = client.get("/qa/programme/reports?period=month").get_data(as_text=True)
    assert "(Month)" in month, "any other period can still be chosen"


def test_questions_of_two_scorecards_are_labelled_with_their_scorecard(client, world, two_cards):
    voice, chat = two_cards
    when = datetime(2026, 11, 3, 3, tzinfo=UTC)
    _evaluate(voice, world.agent_a1, world.sup_a, when, n=2)
    _evaluate(chat, world.agent_a1, world.sup_a, when + timedelta(days=1))
    as_user(client, world.hr)
    html = client.get("/qa/programme/reports?period=month&on=2026-11-10").get_data(as_text=True)
    rows = _question_rows(html)
    voice_name, chat_name = voice.scorecard.name, chat.scorecard.name
    assert f"Verified the caller · {voice_name}" in rows
    assert f"Verified the caller · {chat_name}" in rows
    assert len(rows) == len(set(rows)), "no two rows read the same"
    daily = client.get(
        f"/qa/programme/reports/daily?person={world.sup_a.id}&on=2026-11-03"
    ).get_data(as_text=True)
    assert f'Verified the caller <span class="muted">· {voice_name}</span>' in daily
    drill = client.get("/qa/programme/reports/evaluations?period=month&on=2026-11-10").get_data(
        as_text=True
    )
    assert f"<td>{voice_name}</td>" in drill and f"<td>{chat_name}</td>" in drill
    assert "(Month)" in drill
    # Scores as the evaluation page shows them: the exact value rounded once, with its unit.
    assert '<td class="num">0.0 %</td>' in drill and '<td class="num">0.0 %</td>' in daily
    export = client.get(
        "/qa/programme/reports/export?period=month&on=2026-11-10&table=questions"
    ).get_data(as_text=True)
    assert export.lstrip("\ufeff").splitlines()[0].startswith("question,scorecard,")
    assert f"Verified the caller,{chat_name}," in export
