"""A small hand-built world for business reviews: the test world, two KPIs with known values
in two consecutive ISO weeks, targets, and helpers to schedule reviews."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from portal.business import reviews
from portal.extensions import db
from portal.kpis.models import Kpi, KpiTarget
from tests.kpis.kpi_world import add_value

# Monday 2026-11-02 .. Sunday 2026-11-08 is the week reviewed; the week before is the previous.
WEEK = date(2026, 11, 2)
PREVIOUS_WEEK = WEEK - timedelta(days=7)


def build_business_kpis(world) -> dict[str, Kpi]:
    """CSAT (weighted, higher, HK target 4.5, team A 4.7) and handle time (mean, lower, HK 400).

    This week, Tuesday and Wednesday: a1 CSAT 4.8 x10, a2 4.2 x30, b1 3.0 x5, c1 5.0 x100;
    AHT a1 300, a2 500, b1 700, c1 100. Previous week (its Tuesday): a1 4.0 x10, a2 4.0 x30;
    AHT a1 400, a2 600."""
    csat = Kpi(
        code="csat", name="CSAT", unit="/5", direction="higher", aggregation="weighted", decimals=2
    )
    aht = Kpi(
        code="aht", name="Handle time", unit="s", direction="lower", aggregation="mean", decimals=0
    )
    db.session.add_all([csat, aht])
    db.session.flush()
    db.session.add_all(
        [
            KpiTarget(kpi_id=csat.id, market_id=world.hk.id, target=Decimal("4.5")),
            KpiTarget(kpi_id=csat.id, team_id=world.team_a.id, target=Decimal("4.7")),
            KpiTarget(kpi_id=aht.id, market_id=world.hk.id, target=Decimal("400")),
        ]
    )
    for day in (WEEK + timedelta(days=1), WEEK + timedelta(days=2)):
        add_value(world.agent_a1, csat, day, value="4.8", weight="10")
        add_value(world.agent_a2, csat, day, value="4.2", weight="30")
        add_value(world.agent_b1, csat, day, value="3.0", weight="5")
        add_value(world.agent_c1, csat, day, value="5.0", weight="100")
        add_value(world.agent_a1, aht, day, value="300")
        add_value(world.agent_a2, aht, day, value="500")
        add_value(world.agent_b1, aht, day, value="700")
        add_value(world.agent_c1, aht, day, value="100")
    day = PREVIOUS_WEEK + timedelta(days=1)
    add_value(world.agent_a1, csat, day, value="4.0", weight="10")
    add_value(world.agent_a2, csat, day, value="4.0", weight="30")
    add_value(world.agent_a1, aht, day, value="400")
    add_value(world.agent_a2, aht, day, value="600")
    db.session.commit()
    return {"csat": csat, "aht": aht}


def schedule(by, node, *, kind="wbr", on=WEEK, market_id=None, title=None):
    review, _created = reviews.create_review(
        by, kind=kind, node=node, market_id=market_id, on=on, title=title
    )
    return review
