"""Market summaries: monthly and quarterly, counting only the people the viewer may see, with
headcount and the decisions of held reviews; printable, and as a PDF (audited)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from portal.audit import AuditEntry
from portal.business import actions, reviews, summary
from portal.extensions import db
from portal.kpis.periods import PeriodKind, period_containing
from tests.business.helpers import WEEK, build_business_kpis, schedule
from tests.conftest import as_user

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
AFTER = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)  # November is over: whole month vs whole month
MONTH = period_containing(PeriodKind.MONTH, WEEK)
QUARTER = period_containing(PeriodKind.QUARTER, WEEK)


@pytest.fixture
def kpis(world):
    return build_business_kpis(world)


def csat(result):
    return next(k for k in result.figures.kpis if k.code == "csat")


def test_a_running_month_is_compared_like_for_like(world, kpis):
    """On 20 November, November's days so far against 1-20 October: the previous week's
    Tuesday (27 October) is after the same days, so the previous figure is empty."""
    result = summary.market_summary(world.sup_a, world.hk, MONTH, minimum=5, now=NOW)
    f = result.figures
    assert (f.period_start, f.period_end) == (date(2026, 11, 1), date(2026, 11, 20))
    assert (f.previous_start, f.previous_end) == (date(2026, 10, 1), date(2026, 10, 20))
    line = csat(result)
    assert (line.value, line.n, line.previous, line.previous_n) == (Decimal("4.35"), 4, None, 0)


def test_a_supervisors_monthly_summary_counts_only_their_team(world, kpis):
    result = summary.market_summary(world.sup_a, world.hk, MONTH, minimum=5, now=AFTER)
    assert (result.figures.previous_start, result.figures.previous_end) == (
        date(2026, 10, 1),
        date(2026, 10, 31),
    )
    assert result.node.id == world.sup_a.id
    # November holds the reviewed week only: 174/40 = 4.35 over 4 rows; October holds the
    # previous week's Tuesday (27 Oct): 4.00 over 2 rows.
    line = csat(result)
    assert (line.value, line.n, line.previous, line.previous_n) == (
        Decimal("4.35"),
        4,
        Decimal(4),
        2,
    )
    assert line.target == Decimal("4.7")
    assert [(r.position, r.in_post) for r in result.headcount.rows] == [
        ("Supervisor", 1),
        ("Agent", 2),
    ]
    assert result.headcount.in_post == 3


def test_the_quarterly_summary_spans_three_months(world, kpis):
    result = summary.market_summary(world.sup_a, world.hk, QUARTER, minimum=5, now=NOW)
    assert (result.period.start, result.period.end) == (date(2026, 10, 1), date(2026, 12, 31))
    line = csat(result)
    # (174 x 2 + 160) / (80 + 40) = 508/120 over 6 rows; nothing in the quarter before.
    assert line.value == Decimal(508) / Decimal(120) and line.n == 6
    assert line.previous is None and line.previous_n == 0
    assert result.figures.previous_start == date(2026, 7, 1)


def test_hr_sees_the_whole_market_with_the_market_target(world, kpis):
    result = summary.market_summary(world.hr, world.hk, MONTH, minimum=5, now=NOW)
    assert result.node.id == world.head.id  # HR without reports: the top of the tree
    line = csat(result)
    assert line.value == Decimal("4.2") and line.n == 6 and line.target == Decimal("4.5")
    assert result.headcount.in_post == 7  # head, manager, two supervisors, three agents
    jp = summary.market_summary(world.hr, world.jp, MONTH, minimum=5, now=NOW)
    assert csat(jp).value == Decimal(5) and jp.headcount.in_post == 3


def test_headcount_counts_joiners_and_leavers_of_the_period(world):
    world.agent_a1.hire_on = date(2026, 11, 10)
    world.agent_a2.is_active = False
    world.agent_a2.deactivated_at = datetime(2026, 11, 5, 9, 0, tzinfo=UTC)
    db.session.commit()
    result = summary.market_summary(world.sup_a, world.hk, MONTH, minimum=5, now=NOW)
    assert (result.headcount.in_post, result.headcount.joined, result.headcount.left) == (2, 1, 1)
    october = period_containing(PeriodKind.MONTH, date(2026, 10, 15))
    before = summary.market_summary(world.sup_a, world.hk, october, minimum=5, now=NOW)
    # In October A1 had not joined and A2 had not left.
    assert (before.headcount.in_post, before.headcount.joined, before.headcount.left) == (2, 0, 0)


def test_the_decisions_of_held_reviews_of_the_market_are_listed_to_those_who_see_them(world):
    review = schedule(world.manager_hk, world.manager_hk, kind="mbr")
    actions.add_decision(
        world.manager_hk, review, "Hire two agents for VIP", request_token=None, now=NOW
    )
    scheduled = schedule(world.manager_hk, world.manager_hk, market_id=world.hk.id)
    actions.add_decision(world.manager_hk, scheduled, "Not yet held", request_token=None, now=NOW)
    reviews.hold_review(
        world.manager_hk, review, expected_version=review.version, minimum=5, now=NOW
    )
    seen = summary.market_summary(world.manager_hk, world.hk, MONTH, minimum=5, now=NOW)
    assert [d.body for d in seen.decisions] == ["Hire two agents for VIP"]
    by_hr = summary.market_summary(world.hr, world.hk, QUARTER, minimum=5, now=NOW)
    assert [d.body for d in by_hr.decisions] == ["Hire two agents for VIP"]
    assert summary.market_summary(world.sup_a, world.hk, MONTH, minimum=5, now=NOW).decisions == ()
    assert summary.market_summary(world.hr, world.jp, MONTH, minimum=5, now=NOW).decisions == ()


def test_the_summary_page_is_printable_and_month_and_quarter_both_work(client, world, kpis):
    as_user(client, world.sup_a)
    base = f"/business/markets/{world.hk.id}/summary"
    month = client.get(f"{base}?period=month&on=2026-11-03")
    body = month.get_data(as_text=True)
    assert month.status_code == 200
    assert "Monthly business summary: Hong Kong" in body and "4.35" in body
    assert "css/business.css" in body and "data-print" in body
    quarter = client.get(f"{base}?period=quarter&on=2026-11-03").get_data(as_text=True)
    assert "Quarterly business summary: Hong Kong" in quarter and "4.23" in quarter
    wrong = client.get(f"{base}?period=year").get_data(as_text=True)
    assert "Unknown period; showing this month." in wrong
    assert client.get("/business/markets/999999/summary").status_code == 404


def test_the_summary_pdf_carries_the_figures_and_cjk_names_and_is_audited(client, world, kpis):
    world.sup_a.name = "陳大文"
    db.session.commit()
    as_user(client, world.sup_a)
    response = client.get(
        f"/business/markets/{world.hk.id}/summary.pdf?period=quarter&on=2026-11-03"
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "summary-HK-quarter-2026-10-01.pdf" in response.headers["Content-Disposition"]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert "Quarterly business summary: Hong Kong" in text
    assert "陳大文" in text.replace("\n", "") and "CSAT" in text and "4.23" in text
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "business.summary_pdf")
    ).one()
    assert entry.actor_id == world.sup_a.id and entry.record_id == world.hk.id


def test_the_summary_exports_every_figure_as_csv_and_xlsx_audited(client, world, kpis):
    import csv
    import zipfile

    as_user(client, world.sup_a)
    base = f"/business/markets/{world.hk.id}/summary"
    response = client.get(f"{base}.csv?period=month&on=2026-11-03")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "summary-HK-month-2026-11-01.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Section", "Item", "Measure", "Value"]
    by_key = {(r[0], r[1].split(" (")[0], r[2]): r[3] for r in rows[1:]}
    assert by_key[("KPIs against target", "CSAT", "Value")] == "4.35"
    assert by_key[("KPIs against target", "CSAT", "n")] == "4"
    assert by_key[("KPIs against target", "CSAT", "Previous period")] == "4.00"
    # a leading + is quoted so that a spreadsheet never reads it as a formula
    assert (
        by_key[("KPIs against target", "CSAT", "Change")] == "+0.35"
    )  # a figure, not a formula: no apostrophe
    assert by_key[("Period", "Hong Kong", "From")] == "2026-11-01"
    assert ("Headcount", "Total", "In post at the end") in by_key
    xlsx = client.get(f"{base}.xlsx?period=quarter&on=2026-11-03")
    assert xlsx.status_code == 200
    strings = zipfile.ZipFile(io.BytesIO(xlsx.data)).read("xl/sharedStrings.xml").decode()
    assert "<t>Section</t>" in strings and "<t>4.23</t>" in strings
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "business.summary_export")
    ).all()
    assert sorted(e.after["format"] for e in entries) == ["csv", "xlsx"]
    assert client.get(f"{base}.json?period=month").status_code == 404
    assert client.get("/business/markets/999999/summary.csv").status_code == 404
