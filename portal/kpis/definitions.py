"""Defining KPIs: create, edit, archive and restore (HR), and set targets per market or team
(HR, and managers for the teams and markets inside their subtree: portal.policy, "KPI set-up")."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from portal import audit, policy
from portal.db import utcnow
from portal.errors import Conflict, NotFound
from portal.extensions import db
from portal.kpis.models import Kpi, KpiTarget
from portal.org.models import Market, Person, Position, Team


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
    """Every KPI, active first, by name (definitions are organisation-wide, not personal)."""
    stmt = select(Kpi).order_by(Kpi.is_archived, Kpi.name)
    return list(db.session.execute(stmt).scalars().all())


@dataclass(frozen=True)
class TargetScope:
    """What a target is for: one team or one market (the other id is None)."""

    team_id: int | None
    market_id: int | None


def visible_targets(viewer: Person, kpi: Kpi) -> list[KpiTarget]:
    """The KPI's targets the viewer sees, in the order they were set."""
    stmt = select(KpiTarget).where(KpiTarget.kpi_id == kpi.id).order_by(KpiTarget.id)
    stmt = policy.scoped_kpi_targets(stmt, KpiTarget, viewer)
    return list(db.session.execute(stmt).scalars())


def visible_target_counts(viewer: Person) -> dict[int, int]:
    """How many targets of each KPI the viewer sees (one query)."""
    stmt = select(KpiTarget.kpi_id, func.count()).group_by(KpiTarget.kpi_id)
    stmt = policy.scoped_kpi_targets(stmt, KpiTarget, viewer)
    return {kpi_id: count for kpi_id, count in db.session.execute(stmt)}


def target_choices(viewer: Person) -> tuple[list[Market], list[Team]]:
    """The markets and teams whose targets the viewer may set, by code and name."""
    market_ids = policy.kpi_target_reach(viewer, Person.market_id, Market.id)
    team_ids = policy.kpi_target_reach(viewer, Person.team_id, Team.id)
    markets = db.session.execute(
        select(Market).where(Market.id.in_(market_ids)).order_by(Market.code, Market.id)
    ).scalars()
    teams = db.session.execute(
        select(Team).where(Team.id.in_(team_ids)).order_by(Team.name, Team.id)
    ).scalars()
    return list(markets), list(teams)


def scope_names(targets: list[KpiTarget]) -> dict[tuple[str, int], str]:
    """("team" | "market", id) -> name, for the given targets only."""
    team_ids = {t.team_id for t in targets if t.team_id is not None}
    market_ids = {t.market_id for t in targets if t.market_id is not None}
    names: dict[tuple[str, int], str] = {}
    if team_ids:
        rows = db.session.execute(select(Team.id, Team.name).where(Team.id.in_(team_ids)))
        names.update({("team", i): n for i, n in rows})
    if market_ids:
        rows = db.session.execute(select(Market.id, Market.name).where(Market.id.in_(market_ids)))
        names.update({("market", i): n for i, n in rows})
    return names


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
    """Define a KPI (HR)."""
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


def _require_target(by: Person, scope: TargetScope | KpiTarget) -> None:
    """A target out of the viewer's sight is a 404; one they see but may not change, a 403."""
    if not policy.sees_kpi_target(by, scope):
        raise NotFound()
    policy.require(by, "kpi.set_target", scope)


def set_target(
    by: Person, kpi: Kpi, *, market_id: int | None, team_id: int | None, target: Decimal
) -> KpiTarget:
    """Set (create or replace) the KPI's target for one market or one team."""
    scope = TargetScope(team_id=team_id or None, market_id=None if team_id else market_id)
    _require_target(by, scope)
    stmt = select(KpiTarget).where(KpiTarget.kpi_id == kpi.id)
    if scope.team_id:
        stmt = stmt.where(KpiTarget.team_id == scope.team_id)
    else:
        stmt = stmt.where(KpiTarget.market_id == scope.market_id)
    existing = db.session.execute(stmt).scalar_one_or_none()
    before = {"target": str(existing.target)} if existing else None
    if existing is None:
        existing = KpiTarget(
            kpi_id=kpi.id, market_id=scope.market_id, team_id=scope.team_id, target=target
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
    """Remove one of the KPI's targets: loaded through the viewer's sight (404), then the
    rule (403)."""
    stmt = select(KpiTarget).where(KpiTarget.id == target_id, KpiTarget.kpi_id == kpi.id)
    stmt = policy.scoped_kpi_targets(stmt, KpiTarget, by)
    target = db.session.execute(stmt).scalar_one_or_none()
    if target is None:
        raise NotFound()
    policy.require(by, "kpi.set_target", target)
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
