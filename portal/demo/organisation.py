"""The demo organisation: positions, markets, segments, teams, ~150 people and staff grants.

A head of operations at the root; a manager per market; two or three supervisors under each,
each leading a team of 9-12 agents or account managers; a QA analyst, a trainer and an HR admin
reporting to the head. A few people have left (deactivated) and keep their history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from portal.demo.context import DemoContext
from portal.demo.names import NamePicker
from portal.extensions import db
from portal.org import tree
from portal.org.models import Grant, Market, Person, Position, Segment, StaffRole, Team

EMAIL_DOMAIN = "demo.example.com"

POSITIONS = [
    ("agent", "Agent", 1),
    ("senior_agent", "Senior Agent", 2),
    ("account_manager", "Account Manager", 2),
    ("supervisor", "Supervisor", 3),
    ("qa_analyst", "QA Analyst", 3),
    ("trainer", "Trainer", 3),
    ("hr", "HR Administrator", 3),
    ("manager", "Manager", 4),
    ("head", "Head of Operations", 5),
]

SEGMENTS = [("SMALL", "Small"), ("MEDIUM", "Medium"), ("VIP", "VIP / Enterprise")]


@dataclass(frozen=True)
class MarketPlan:
    code: str
    name: str
    time_zone: str
    locale: str
    teams: tuple[str, ...]  # one supervisor per team


MERCHANT_CARE = "Merchant Care"
ACCOUNT_MANAGEMENT = "Account Management"

MARKETS = [
    MarketPlan(
        "HK",
        "Hong Kong",
        "Asia/Hong_Kong",
        "zh_Hant",
        (MERCHANT_CARE, MERCHANT_CARE, ACCOUNT_MANAGEMENT),
    ),
    MarketPlan("TW", "Taiwan", "Asia/Taipei", "zh_Hant", (MERCHANT_CARE, ACCOUNT_MANAGEMENT)),
    MarketPlan(
        "JP", "Japan", "Asia/Tokyo", "ja", (MERCHANT_CARE, MERCHANT_CARE, ACCOUNT_MANAGEMENT)
    ),
    MarketPlan("KR", "Korea", "Asia/Seoul", "ko", (MERCHANT_CARE, ACCOUNT_MANAGEMENT)),
    MarketPlan("VN", "Vietnam", "Asia/Ho_Chi_Minh", "vi", (ACCOUNT_MANAGEMENT, ACCOUNT_MANAGEMENT)),
]

# Which segments a team's people serve: contact-centre teams the long tail, account managers
# the larger merchants.
TEAM_SEGMENTS = {MERCHANT_CARE: ("SMALL", "SMALL", "MEDIUM"), ACCOUNT_MANAGEMENT: ("MEDIUM", "VIP")}

# Years of service drawn for each position (from, to).
SERVICE_YEARS = {
    "head": (6, 8),
    "manager": (4, 8),
    "supervisor": (3, 7),
    "senior_agent": (2, 6),
    "account_manager": (1, 6),
    "agent": (1, 5),
    "qa_analyst": (2, 6),
    "trainer": (2, 6),
    "hr": (2, 8),
}
DEACTIVATED = 5  # people who have left, spread over the teams


class _Builder:
    """Creates people: names, e-mails, employee ids, dates; settle() places them in the tree."""

    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.names = NamePicker(ctx.rng)
        self.sequence = 0
        self.per_market: dict[str, int] = {}
        self.pending: list[tuple[Person, Person | None]] = []

    def person(
        self,
        position: str,
        manager: Person | None,
        market: Market,
        *,
        locale: str,
        team: Team | None = None,
        segment: Segment | None = None,
        login: str | None = None,
    ) -> Person:
        ctx = self.ctx
        self.sequence += 1
        self.per_market[market.code] = self.per_market.get(market.code, 0) + 1
        name = self.names.pick(market.code)
        low, high = SERVICE_YEARS[position]
        hire_on = ctx.days_ago(low * 365, high * 365)
        # Most people were promoted or moved into their position some time after joining.
        served = (ctx.today - hire_on).days
        same_day = position in ("agent", "account_manager") and ctx.rng.random() < 0.6
        position_since_on = hire_on if same_day else ctx.days_ago(30, max(31, served - 30))
        person = Person(
            name=name.name,
            name_romanised=name.name_romanised,
            email=f"{login or name.email_local(self.sequence)}@{EMAIL_DOMAIN}",
            employee_id=f"{market.code}-{self.per_market[market.code]:04d}",
            position=ctx.positions[position],
            hire_on=hire_on,
            position_since_on=max(position_since_on, hire_on),
            market=market,
            segment=segment,
            team=team,
            locale=locale,
            time_zone=market.time_zone,
            is_active=True,
            password_hash=ctx.password_hash,
            password_changed_at=ctx.now,
        )
        db.session.add(person)
        self.pending.append((person, manager))
        ctx.people.append(person)
        ctx.by_role.setdefault(position, []).append(person)
        if login:
            ctx.logins[login] = person
        return person

    def settle(self) -> None:
        """Insert the people made since the last call in one flush, then place each under
        their manager (managers first: they were made first)."""
        db.session.flush()
        for person, manager in self.pending:
            tree.place(person, manager)
        self.pending.clear()


def _reference_data(ctx: DemoContext) -> None:
    for code, name, rank in POSITIONS:
        ctx.positions[code] = Position(code=code, name=name, rank=rank)
    for code, name in SEGMENTS:
        ctx.segments[code] = Segment(code=code, name=name)
    for plan in MARKETS:
        ctx.markets[plan.code] = Market(code=plan.code, name=plan.name, time_zone=plan.time_zone)
    db.session.add_all([*ctx.positions.values(), *ctx.segments.values(), *ctx.markets.values()])


def _team(ctx: DemoContext, market: Market, kind: str, number: int) -> Team:
    team = Team(name=f"{market.code} {kind} {number}", market=market)
    db.session.add(team)
    ctx.teams.append(team)
    return team


def _frontline_position(ctx: DemoContext, kind: str) -> str:
    if kind == ACCOUNT_MANAGEMENT:
        return "account_manager"
    return "senior_agent" if ctx.rng.random() < 0.15 else "agent"


def _market(ctx: DemoContext, build: _Builder, plan: MarketPlan, head: Person) -> None:
    market = ctx.markets[plan.code]
    is_hk = plan.code == "HK"
    manager = build.person(
        "manager", head, market, locale=plan.locale, login="manager.hk" if is_hk else None
    )
    numbers: dict[str, int] = {}
    teams: list[tuple[Person, list[Person]]] = []
    for index, kind in enumerate(plan.teams):
        numbers[kind] = numbers.get(kind, 0) + 1
        team = _team(ctx, market, kind, numbers[kind])
        first_hk_team = is_hk and index == 0
        supervisor = build.person(
            "supervisor",
            manager,
            market,
            locale=plan.locale,
            team=team,
            login="supervisor.hk" if first_hk_team else None,
        )
        reports: list[Person] = []
        teams.append((supervisor, reports))
        for number in range(ctx.rng.randint(9, 12)):
            position = "agent" if first_hk_team and number == 0 else _frontline_position(ctx, kind)
            reports.append(
                build.person(
                    position,
                    supervisor,
                    market,
                    locale=plan.locale,
                    team=team,
                    segment=ctx.segments[ctx.rng.choice(TEAM_SEGMENTS[kind])],
                    login="agent.hk" if first_hk_team and number == 0 else None,
                )
            )
    build.settle()
    for supervisor, reports in teams:
        ctx.reports[supervisor.id] = reports


def _staff(ctx: DemoContext, build: _Builder, head: Person) -> None:
    hk = ctx.markets["HK"]
    qa = build.person("qa_analyst", head, hk, locale="en", login="qa")
    trainer = build.person("trainer", head, hk, locale="en", login="trainer")
    hr = build.person("hr", head, hk, locale="en", login="hr")
    grants = [
        Grant(person=qa, role=StaffRole.QA_ANALYST, market=ctx.markets[code])
        for code in ("HK", "TW")
    ]
    grants += [
        Grant(person=trainer, role=StaffRole.TRAINER, market=ctx.markets[code])
        for code in ("JP", "KR", "VN")
    ]
    grants.append(Grant(person=hr, role=StaffRole.HR_ADMIN))
    build.settle()
    db.session.add_all(grants)


def _deactivate_some(ctx: DemoContext) -> None:
    """A few people have left: inactive, still in their team and the tree, history kept."""
    # By id: Flask-Login's UserMixin compares people by session token, not identity.
    fixed = {person.id for person in ctx.logins.values()}
    candidates = [p for p in ctx.frontline if p.id not in fixed]
    for person in ctx.rng.sample(candidates, DEACTIVATED):
        # They left after at least half a year in the company, and after their last move.
        earliest = max(person.position_since_on, person.hire_on + timedelta(days=180))
        left_on = ctx.days_ago(14, max(15, (ctx.today - earliest).days))
        person.is_active = False
        person.deactivated_at = datetime.combine(left_on, time(9, 0), UTC)


def load_organisation(ctx: DemoContext) -> None:
    """Positions, markets, segments, teams, people in the tree, grants. Flushes."""
    _reference_data(ctx)
    build = _Builder(ctx)
    head = build.person("head", None, ctx.markets["HK"], locale="en", login="head")
    for plan in MARKETS:
        _market(ctx, build, plan, head)
    _staff(ctx, build, head)
    _deactivate_some(ctx)
    db.session.flush()
    ctx.counts["people"] = len(ctx.people)
