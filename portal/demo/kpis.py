"""Demo KPIs: the eight metrics of the job postings, targets per market (and one team
override), and daily values on working days over the last two years for every frontline
person: four KPIs each, by position (agents: CSAT, handle time, schedule adherence, contacts
handled; account managers: NPS, first response time, returning-customer rate, accounts).
Inserted in bulk; each person has a baseline and a slow drift so trends have a shape."""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal

from flask import current_app

from portal.demo.context import DemoContext
from portal.extensions import db
from portal.kpis.models import Kpi, KpiTarget

DAYS = 730
CHUNK = 20_000

# code, name, unit, direction, aggregation, decimals, market target (None: no target)
KPIS = [
    ("csat", "CSAT", "/5", "higher", "weighted", 2, "4.50"),
    ("nps", "NPS", "", "higher", "weighted", 0, "40"),
    ("aht", "Average handle time", "s", "lower", "weighted", 0, "420"),
    ("frt", "Average first response time", "min", "lower", "mean", 1, "30"),
    ("adherence", "Schedule adherence", "%", "higher", "rate", 1, "90"),
    ("contacts", "Contacts handled", "", "higher", "sum", 0, None),
    ("returning", "Returning-customer rate", "%", "higher", "rate", 1, "35"),
    ("accounts", "Accounts per account manager", "", "higher", "mean", 0, "120"),
]
AGENT_KPIS = ("csat", "aht", "adherence", "contacts")
ACCOUNT_KPIS = ("nps", "frt", "returning", "accounts")
AGENT_POSITIONS = ("agent", "senior_agent")


def load_kpis(ctx: DemoContext) -> None:
    kpis: dict[str, Kpi] = {}
    for code, name, unit, direction, aggregation, decimals, _target in KPIS:
        positions = (
            [ctx.positions[p] for p in AGENT_POSITIONS]
            if code in AGENT_KPIS
            else [ctx.positions["account_manager"]]
        )
        kpi = Kpi(
            code=code,
            name=name,
            unit=unit,
            direction=direction,
            aggregation=aggregation,
            decimals=decimals,
            positions=positions,
        )
        db.session.add(kpi)
        kpis[code] = kpi
    db.session.flush()
    for code, *_rest, target in KPIS:
        if target is None:
            continue
        for market in ctx.markets.values():
            db.session.add(
                KpiTarget(kpi_id=kpis[code].id, market_id=market.id, target=Decimal(target))
            )
    # A team whose target is set above its market's: the override shows in its view.
    if ctx.teams:
        db.session.add(
            KpiTarget(kpi_id=kpis["csat"].id, team_id=ctx.teams[0].id, target=Decimal("4.6"))
        )
    db.session.flush()
    ctx.counts["kpis"] = len(kpis)
    ctx.counts["kpi_values"] = _load_values(ctx, kpis)


def _load_values(ctx: DemoContext, kpis: dict[str, Kpi]) -> int:
    days = int(current_app.config.get("DEMO_KPI_DAYS", DAYS))
    workdays = [
        ctx.today - timedelta(days=offset)
        for offset in range(days, 0, -1)
        if (ctx.today - timedelta(days=offset)).weekday() < 5
    ]
    rng = ctx.rng
    gauss = rng.gauss
    batch: list[dict] = []
    total = 0

    connection = db.session.connection()
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = (
        "INSERT INTO kpi_value (person_id, kpi_id, value_on, value, numerator, denominator, "
        f"weight, updated_at) VALUES ({', '.join([mark] * 8)})"
    )
    stamp = (
        ctx.now if connection.dialect.name == "postgresql" else f"{ctx.now:%Y-%m-%d %H:%M:%S.%f}"
    )

    def flush() -> None:
        # Straight to the driver's executemany: ten times faster than ORM rows here.
        nonlocal batch, total
        if batch:
            connection.exec_driver_sql(sql, [(*row, stamp) for row in batch])
            total += len(batch)
            batch = []

    ids = {code: kpi.id for code, kpi in kpis.items()}
    for person in ctx.frontline:
        if person.position.code in AGENT_POSITIONS:
            codes = AGENT_KPIS
        elif person.position.code == "account_manager":
            codes = ACCOUNT_KPIS
        else:
            continue
        skill = gauss(0, 1)  # one person's level across their KPIs
        phase = rng.random() * 6.28
        for index, day in enumerate(workdays):
            if person.hire_on and day < person.hire_on:
                continue
            drift = 0.5 * math.sin(phase + index / 60)  # a slow seasonal swing
            level = skill + drift
            for code in codes:
                batch.append(_value(code, ids[code], person.id, day, level, gauss))
            if len(batch) >= CHUNK:
                flush()
    flush()
    return total


def _value(code: str, kpi_id: int, person_id: int, day, level: float, gauss) -> tuple:
    """(person, KPI, day, value, numerator, denominator, weight) of one demo day."""
    row: dict = {"value": None, "numerator": None, "denominator": None, "weight": None}
    if code == "csat":
        row["value"] = round(min(5.0, max(1.0, 4.45 + 0.15 * level + gauss(0, 0.25))), 2)
        row["weight"] = max(1, int(gauss(12, 4)))
    elif code == "aht":
        row["value"] = round(max(120.0, 430 - 30 * level + gauss(0, 45)))
        row["weight"] = max(1, int(gauss(38, 8)))
    elif code == "adherence":
        scheduled = 450
        row["denominator"] = scheduled
        row["numerator"] = min(
            scheduled, max(0, round(scheduled * (0.9 + 0.03 * level) + gauss(0, 20)))
        )
    elif code == "contacts":
        row["value"] = max(0, round(38 + 4 * level + gauss(0, 7)))
    elif code == "nps":
        row["value"] = round(max(-100.0, min(100.0, 38 + 10 * level + gauss(0, 25))))
        row["weight"] = max(1, int(gauss(6, 2)))
    elif code == "frt":
        row["value"] = round(max(1.0, 31 - 4 * level + gauss(0, 8)), 1)
    elif code == "returning":
        customers = max(5, int(gauss(50, 10)))
        share = min(0.95, max(0.05, 0.35 + 0.04 * level + gauss(0, 0.08)))
        row["denominator"] = customers
        row["numerator"] = round(customers * share)
    elif code == "accounts":
        row["value"] = max(40, round(118 + 12 * level + gauss(0, 2)))
    return (
        person_id,
        kpi_id,
        day.isoformat(),
        row["value"],
        row["numerator"],
        row["denominator"],
        row["weight"],
    )
