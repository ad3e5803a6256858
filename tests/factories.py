"""factory-boy factories and the named small organisation used across tests."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

import factory
from factory.alchemy import SQLAlchemyModelFactory

from portal.auth.passwords import hash_password
from portal.extensions import db
from portal.org import tree
from portal.org.models import Grant, Market, Person, Position, Segment, Team

PASSWORD = "Correct-Horse-42"
_counter = itertools.count(1)
_HASH: dict[str, str] = {}


def password_hash(password: str = PASSWORD) -> str:
    if password not in _HASH:
        _HASH[password] = hash_password(password)
    return _HASH[password]


class _Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class MarketFactory(_Base):
    class Meta:
        model = Market
        sqlalchemy_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"M{n}")
    name = factory.LazyAttribute(lambda o: f"Market {o.code}")
    time_zone = "Asia/Hong_Kong"


class SegmentFactory(_Base):
    class Meta:
        model = Segment
        sqlalchemy_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"S{n}")
    name = factory.LazyAttribute(lambda o: f"Segment {o.code}")


class PositionFactory(_Base):
    class Meta:
        model = Position
        sqlalchemy_get_or_create = ("code",)

    code = "agent"
    name = factory.LazyAttribute(lambda o: o.code.replace("_", " ").title())
    rank = 1


class TeamFactory(_Base):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    market = factory.SubFactory(MarketFactory)


class PersonFactory(_Base):
    """A person placed in the tree under `manager` (None: a root)."""

    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Person {n}")
    name_romanised = None
    email = factory.Sequence(lambda n: f"person{n}-{next(_counter)}@example.com")
    employee_id = factory.Sequence(lambda n: f"E{n:05d}-{next(_counter)}")
    position = factory.SubFactory(PositionFactory)
    hire_on = date(2023, 1, 9)
    position_since_on = date(2024, 1, 8)
    locale = "en"
    time_zone = "Asia/Hong_Kong"
    is_active = True
    password_hash = factory.LazyFunction(password_hash)
    manager = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        manager = kwargs.pop("manager", None)
        person = model_class(*args, **kwargs)
        db.session.add(person)
        db.session.flush()
        tree.place(person, manager)
        db.session.commit()
        return person


class GrantFactory(_Base):
    class Meta:
        model = Grant

    role = "qa_analyst"


@dataclass
class World:
    hk: Market
    jp: Market
    small: Segment
    vip: Segment
    team_a: Team
    team_b: Team
    team_c: Team
    head: Person
    manager_hk: Person
    manager_jp: Person
    sup_a: Person
    sup_b: Person
    sup_c: Person
    agent_a1: Person
    agent_a2: Person
    agent_b1: Person
    agent_c1: Person
    qa: Person
    trainer: Person
    hr: Person


def build_world() -> World:
    """head > manager_hk > sup_a > {agent_a1, agent_a2}; manager_hk > sup_b > agent_b1;
    head > manager_jp > sup_c > agent_c1. QA analyst granted team A; trainer granted market JP;
    an HR admin. Every name carries a unique marker (e.g. MK-A1) so leaks are easy to spot."""
    hk = MarketFactory(code="HK", name="Hong Kong", time_zone="Asia/Hong_Kong")
    jp = MarketFactory(code="JP", name="Japan", time_zone="Asia/Tokyo")
    small = SegmentFactory(code="SMALL", name="Small")
    vip = SegmentFactory(code="VIP", name="VIP / Enterprise")
    positions = {
        code: PositionFactory(code=code, rank=rank)
        for code, rank in [
            ("agent", 1),
            ("senior_agent", 2),
            ("supervisor", 3),
            ("manager", 4),
            ("head", 5),
            ("qa_analyst", 3),
            ("trainer", 3),
            ("hr", 3),
        ]
    }
    team_a = TeamFactory(name="Team A", market=hk)
    team_b = TeamFactory(name="Team B", market=hk)
    team_c = TeamFactory(name="Team C", market=jp)

    def person(marker: str, position: str, manager=None, **kw) -> Person:
        return PersonFactory(
            name=f"{marker.title()} MK-{marker.upper()}",
            email=f"{marker.lower()}@world.example.com",
            employee_id=f"W-{marker.upper()}",
            position=positions[position],
            manager=manager,
            **kw,
        )

    head = person("head", "head", market=hk)
    manager_hk = person("mgrhk", "manager", head, market=hk)
    manager_jp = person("mgrjp", "manager", head, market=jp, time_zone="Asia/Tokyo")
    sup_a = person("supa", "supervisor", manager_hk, market=hk, team=team_a)
    sup_b = person("supb", "supervisor", manager_hk, market=hk, team=team_b)
    sup_c = person("supc", "supervisor", manager_jp, market=jp, team=team_c)
    agent_a1 = person("a1", "agent", sup_a, market=hk, team=team_a, segment=small)
    agent_a2 = person("a2", "agent", sup_a, market=hk, team=team_a, segment=vip)
    agent_b1 = person("b1", "agent", sup_b, market=hk, team=team_b, segment=small)
    agent_c1 = person("c1", "agent", sup_c, market=jp, team=team_c, segment=small)
    qa = person("qa", "qa_analyst", head)
    trainer = person("trainer", "trainer", head)
    hr = person("hr", "hr", head)
    GrantFactory(person=qa, role="qa_analyst", team=team_a)
    GrantFactory(person=trainer, role="trainer", market=jp)
    GrantFactory(person=hr, role="hr_admin")
    return World(**{k: v for k, v in locals().items() if k in World.__dataclass_fields__})
