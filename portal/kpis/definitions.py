"""Defining KPIs: create, edit, archive and restore, and set targets per market or team."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from portal import audit, policy
from portal.db import utcnow
from portal.errors import Conflict, NotFound
from portal.extensions import db
from portal.kpis.models import Kpi, KpiTarget
from portal.org.models import Person, Position


@dataclass(frozen=True)
class KpiFields:
    code: str
    name: str
    unit: str
    direction: str
    aggregation: str
    decimals: int
    position_ids: tuple[int, ...]


def all_kpis(viewer: Person) -> list[Kpi]:
    """Every KPI, active first, by name (definitions are not personal data)."""
    stmt = select(Kpi).order_by(Kpi.is_archived, Kpi.name)
    return list(db.session.execute(stmt).scalars().all())


def get_kpi(kpi_id: int) -> Kpi:
    kpi = db.session.get(Kpi, kpi_id)
    if kpi is None:
        raise NotFound()
    return kpi


def code_taken(code: str, except_id: int | None = None) -> bool:
    stmt = select(Kpi.id).where(Kpi.code == code)
    if except_id:
        stmt = stmt.where(Kpi.id != except_id)
    return db.session.execute(stmt.limit(1)).first() is not None


def _positions(ids: tuple[int, ...]) -> list[Position]:
    if not ids:
        return []
    return list(db.session.execute(select(Position).where(Position.id.in_(ids))).scalars())


def create_kpi(by: Person, fields: KpiFields) -> Kpi:
    """Define a KPI (HR and managers)."""
    policy.require(by, "kpi.define")
    kpi = Kpi(
        code=fields.code,
        name=fields.name,
        unit=fields.unit,
        direction=fields.direction,
        aggregation=fields.aggregation,
        decimals=fields.decimals,
        positions=_positions(fields.position_ids),
    )
    db.session.add(kpi)
    db.session.flush()
    audit.record(by, "kpi.create", "kpi", kpi.id, None, kpi.snapshot())
    db.session.commit()
    return kpi


def _check_version(kpi: Kpi, expected: int | None) -> None:
    if expected is not None and expected != kpi.version:
        raise Conflict()


def edit_kpi(by: Person, kpi: Kpi, fields: KpiFields, *, expected_version: int | None) -> Kpi:
    """Change a KPI's definition (a version check refuses a stale form)."""
    policy.require(by, "kpi.define", kpi)
    _check_version(kpi, expected_version)
    before = kpi.snapshot()
    kpi.code = fields.code
    kpi.name = fields.name
    kpi.unit = fields.unit
    kpi.direction = fields.direction
    kpi.aggregation = fields.aggregation
    kpi.decimals = fields.decimals
    kpi.positions = _positions(fields.position_ids)
    db.session.flush()
    audit.record(by, "kpi.edit", "kpi", kpi.id, before, kpi.snapshot())
    db.session.commit()
    return kpi


def set_archived(by: Person, kpi: Kpi, archived: bool) -> None:
    """Archive (hide from views and imports, keep its values) or restore a KPI."""
    policy.require(by, "kpi.define", kpi)
    before = kpi.snapshot()
    kpi.is_archived = archived
    kpi.archived_at = utcnow() if archived else None
    db.session.flush()
    audit.record(
        by, "kpi.archive" if archived else "kpi.restore", "kpi", kpi.id, before, kpi.snapshot()
    )
    db.session.commit()


def set_target(
    by: Person, kpi: Kpi, *, market_id: int | None, team_id: int | None, target: Decimal
) -> KpiTarget:
    """Set (create or replace) the KPI's target for one market or one team."""
    policy.require(by, "kpi.define", kpi)
    stmt = select(KpiTarget).where(KpiTarget.kpi_id == kpi.id)
    if team_id:
        stmt = stmt.where(KpiTarget.team_id == team_id)
    else:
        stmt = stmt.where(KpiTarget.market_id == market_id)
    existing = db.session.execute(stmt).scalar_one_or_none()
    before = {"target": str(existing.target)} if existing else None
    if existing is None:
        existing = KpiTarget(
            kpi_id=kpi.id, market_id=None if team_id else market_id, team_id=team_id, target=target
        )
        db.session.add(existing)
    else:
        existing.target = target
    db.session.flush()
    after = {
        "kpi_id": kpi.id,
        "market_id": existing.market_id,
        "team_id": existing.team_id,
        "target": str(target),
    }
    audit.record(by, "kpi.target_set", "kpi_target", existing.id, before, after)
    db.session.commit()
    return existing


def delete_target(by: Person, kpi: Kpi, target_id: int) -> None:
    policy.require(by, "kpi.define", kpi)
    target = db.session.get(KpiTarget, target_id)
    if target is None or target.kpi_id != kpi.id:
        raise NotFound()
    before = {
        "kpi_id": kpi.id,
        "market_id": target.market_id,
        "team_id": target.team_id,
        "target": str(target.target),
    }
    db.session.delete(target)
    db.session.flush()
    audit.record(by, "kpi.target_delete", "kpi_target", target_id, before, None)
    db.session.commit()
