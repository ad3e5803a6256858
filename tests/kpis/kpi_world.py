"""A small, hand-built KPI world on top of tests.factories.World: two KPIs and known values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from portal.extensions import db
from portal.kpis.models import Kpi, KpiTarget, KpiValue

DAY = date(2026, 11, 10)  # a Tuesday in the past


@dataclass
class KpiWorld:
    csat: Kpi  # weighted, higher
    aht: Kpi  # mean, lower
    rate: Kpi  # rate, %, higher
    contacts: Kpi  # sum


def add_value(person, kpi, day, **fields) -> KpiValue:
    value = KpiValue(
        person_id=person.id,
        kpi_id=kpi.id,
        value_on=day,
        **{k: Decimal(str(v)) for k, v in fields.items()},
    )
    db.session.add(value)
    return value


def build_kpis(world) -> KpiWorld:
    csat = Kpi(
        code="csat",
        name="CSAT",
        unit="/5",
        direction="higher",
        aggregation="weighted",
        decimals=2,
    )
    aht = Kpi(
        code="aht", name="Handle time", unit="s", direction="lower", aggregation="mean", decimals=0
    )
    rate = Kpi(
        code="ret", name="Returning", unit="%", direction="higher", aggregation="rate", decimals=1
    )
    contacts = Kpi(
        code="contacts", name="Contacts", unit="", direction="higher", aggregation="sum", decimals=0
    )
    db.session.add_all([csat, aht, rate, contacts])
    db.session.flush()
    db.session.add_all(
        [
            KpiTarget(kpi_id=csat.id, market_id=world.team_a.market_id, target=Decimal("4.5")),
            KpiTarget(kpi_id=csat.id, team_id=world.team_a.id, target=Decimal("4.7")),
            KpiTarget(kpi_id=aht.id, market_id=world.team_a.market_id, target=Decimal("400")),
        ]
    )
    # Team A: a1 and a2; team B: b1; team C (JP): c1.
    for offset in range(3):
        day = DAY - timedelta(days=offset)
        add_value(world.agent_a1, csat, day, value="4.8", weight="10")
        add_value(world.agent_a2, csat, day, value="4.2", weight="30")
        add_value(world.agent_b1, csat, day, value="3.0", weight="5")
        add_value(world.agent_c1, csat, day, value="5.0", weight="100")
        add_value(world.agent_a1, aht, day, value="300")
        add_value(world.agent_a2, aht, day, value="500")
        add_value(world.agent_b1, aht, day, value="700")
        add_value(world.agent_c1, aht, day, value="100")
        add_value(world.agent_a1, rate, day, numerator="3", denominator="10")
        add_value(world.agent_a2, rate, day, numerator="1", denominator="30")
        add_value(world.agent_c1, rate, day, numerator="9", denominator="10")
        add_value(world.agent_a1, contacts, day, value="40")
        add_value(world.agent_c1, contacts, day, value="1000")
    db.session.commit()
    return KpiWorld(csat, aht, rate, contacts)
