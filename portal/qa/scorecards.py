"""Scorecards: reading them, creating one, describing it, publishing and archiving it.

Building one (sections, questions, choices) is in scorecard_builder; which version a change lands
in is in scorecard_versions. Each public function checks the policy and the expected version
(the scorecard's version column: a stale form raises Conflict), audits and commits once.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal import audit, keyset, policy
from portal.db import utcnow
from portal.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from portal.extensions import db
from portal.org.models import Market, Person
from portal.qa.models import Channel, Scorecard, ScorecardChannel, ScorecardVersion
from portal.qa.scorecard_versions import publish_problems

# ---- reading --------------------------------------------------------------------------------


def scorecards_for(
    viewer: Person, *, archived: bool = False, sort: keyset.Sort | None = None
) -> list[Scorecard]:
    """Scorecards (archived ones, or the others) with their current version, by name, or by
    when they last changed with `sort` ("changed"; a short list: not paged)."""
    policy.require(viewer, "scorecard.view")
    stmt = (
        select(Scorecard)
        .where(Scorecard.is_archived.is_(archived))
        .options(
            selectinload(Scorecard.current_version),
            selectinload(Scorecard.channel_links),
            selectinload(Scorecard.markets),
        )
    )
    if sort is not None and sort.key == "changed":
        changed, ident = Scorecard.updated_at, Scorecard.id
        order = (changed.desc(), ident.desc()) if sort.descending else (changed, ident)
        stmt = stmt.order_by(*order)
    else:
        stmt = stmt.order_by(Scorecard.name, Scorecard.id)
    return list(db.session.execute(stmt).scalars())


def get_scorecard(viewer: Person, scorecard_id: int) -> Scorecard:
    """One scorecard for a viewer who may see scorecards (404 when it does not exist)."""
    policy.require(viewer, "scorecard.view")
    scorecard = db.session.get(Scorecard, scorecard_id)
    if scorecard is None:
        raise NotFound()
    return scorecard


def get_version(viewer: Person, scorecard_id: int, number: int) -> ScorecardVersion:
    """One numbered version of a scorecard, old or current."""
    scorecard = get_scorecard(viewer, scorecard_id)
    for version in scorecard.versions:
        if version.number == number:
            return version
    raise NotFound()


# ---- the scorecard itself -------------------------------------------------------------------


def create_scorecard(
    by: Person, *, name: str, description: str, channels: Sequence[str], market_ids: Sequence[int]
) -> Scorecard:
    """A new scorecard with an empty draft version 1."""
    policy.require(by, "scorecard.edit")
    name = _check_name(name, None)
    channels, markets = _applies_to(channels, market_ids)
    scorecard = Scorecard(name=name, description=description.strip())
    _set_applies_to(scorecard, channels, markets)
    version = ScorecardVersion(number=1, created_by_id=by.id)
    scorecard.versions.append(version)
    scorecard.current_version = version
    db.session.add(scorecard)
    _flush_unique_name()
    audit.record(by, "scorecard.create", "scorecard", scorecard.id, None, scorecard.snapshot())
    db.session.commit()
    return scorecard


def edit_scorecard(
    scorecard: Scorecard,
    by: Person,
    *,
    expected_version: int,
    name: str,
    description: str,
    channels: Sequence[str],
    market_ids: Sequence[int],
) -> None:
    """Rename, describe and say where it applies; none of these changes how it scores."""
    start_change(scorecard, by, expected_version)
    name = _check_name(name, scorecard.id)
    channels, markets = _applies_to(channels, market_ids)
    before = scorecard.snapshot()
    scorecard.name, scorecard.description = name, description.strip()
    _set_applies_to(scorecard, channels, markets)
    _flush_unique_name()
    audit.record(by, "scorecard.edit", "scorecard", scorecard.id, before, scorecard.snapshot())
    commit_change(scorecard)


def publish_scorecard(scorecard: Scorecard, by: Person, *, expected_version: int) -> None:
    """Make the current version the one new evaluations use, once it can be scored."""
    start_change(scorecard, by, expected_version)
    version = scorecard.current_version
    assert version is not None
    if version.is_published:
        raise InvalidTransition(_("This version is already published."))
    problems = publish_problems(version)
    if problems:
        raise ValidationFailed(
            _("This version cannot be published yet."), field_errors={"publish": problems}
        )
    version.published_at = utcnow()
    audit.record(
        by, "scorecard.publish", "scorecard_version", version.id, None, {"number": version.number}
    )
    commit_change(scorecard)


def archive_scorecard(scorecard: Scorecard, by: Person, *, expected_version: int) -> None:
    """Hide a scorecard from new evaluations; its versions and their scores stay."""
    _set_archived(scorecard, by, expected_version, archived=True)


def unarchive_scorecard(scorecard: Scorecard, by: Person, *, expected_version: int) -> None:
    """Bring an archived scorecard back."""
    _set_archived(scorecard, by, expected_version, archived=False)


def _set_archived(scorecard: Scorecard, by: Person, expected_version: int, archived: bool) -> None:
    policy.require(by, "scorecard.edit")
    _check_version(scorecard, expected_version)
    if scorecard.is_archived == archived:
        raise InvalidTransition()
    scorecard.is_archived = archived
    action = "scorecard.archive" if archived else "scorecard.unarchive"
    audit.record(
        by,
        action,
        "scorecard",
        scorecard.id,
        {"is_archived": not archived},
        {"is_archived": archived},
    )
    commit_change(scorecard)


# ---- helpers ---------------------------------------------------------------------------------


def _check_version(scorecard: Scorecard, expected_version: int) -> None:
    if scorecard.version != expected_version:
        raise Conflict()


def start_change(scorecard: Scorecard, by: Person, expected_version: int) -> None:
    """Refuse a change by someone who may not build scorecards, to an archived scorecard, or
    from a form older than the scorecard (Conflict)."""
    policy.require(by, "scorecard.edit")
    if scorecard.is_archived:
        raise InvalidTransition(_("This scorecard is archived. Unarchive it to change it."))
    _check_version(scorecard, expected_version)


def commit_change(scorecard: Scorecard) -> None:
    """Bump the scorecard's version and commit the unit of work."""
    # Touching the row bumps its version column, so every edit makes other open forms stale;
    # two edits that passed the check at the same moment meet here and the second is refused.
    scorecard.updated_at = utcnow()
    db.session.commit()  # a stale version: Conflict (db.ConflictSession)


def _check_name(name: str, scorecard_id: int | None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(field_errors={"name": [_("Give the scorecard a name.")]})
    if len(name) > 160:
        raise ValidationFailed(field_errors={"name": [_("At most 160 characters.")]})
    stmt = select(Scorecard.id).where(func.lower(Scorecard.name) == name.lower())
    if scorecard_id is not None:
        stmt = stmt.where(Scorecard.id != scorecard_id)
    if db.session.execute(stmt.limit(1)).first():
        raise ValidationFailed(field_errors={"name": [_("A scorecard with this name exists.")]})
    return name


def _flush_unique_name() -> None:
    # Two identical submissions at once: the unique constraint lets one through.
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise ValidationFailed(
            field_errors={"name": [_("A scorecard with this name exists.")]}
        ) from error


def _applies_to(
    channels: Sequence[str], market_ids: Sequence[int]
) -> tuple[list[str], list[Market]]:
    known = {c.value for c in Channel}
    if any(channel not in known for channel in channels):
        raise ValidationFailed(field_errors={"channels": [_("Choose channels from the list.")]})
    markets = list(db.session.execute(select(Market).where(Market.id.in_(market_ids))).scalars())
    if len(markets) != len(set(market_ids)):
        raise ValidationFailed(field_errors={"markets": [_("Choose markets from the list.")]})
    return sorted(set(channels)), sorted(markets, key=lambda m: m.code)


def _set_applies_to(scorecard: Scorecard, channels: list[str], markets: list[Market]) -> None:
    kept = {link.channel: link for link in scorecard.channel_links}
    scorecard.channel_links = [kept.get(c) or ScorecardChannel(channel=c) for c in channels]
    scorecard.markets = markets
