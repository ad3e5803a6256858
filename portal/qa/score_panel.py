"""What the "how this score was computed" panel shows: per section its weight, points earned
and possible over the answered questions, its score or why it dropped out, the N/A questions
and the critical fails. Built from a scorecard version and a (provisional) score result."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from portal.qa import scoring
from portal.qa.models import ScorecardQuestion, ScorecardVersion


@dataclass(frozen=True)
class SectionLine:
    title: str
    weight: Decimal
    earned: Fraction | None
    possible: Fraction | None
    score: Fraction | None
    dropped: bool
    not_started: bool  # dropped only because nothing in it is answered yet
    na_questions: list[str]
    critical_failed: bool


@dataclass(frozen=True)
class Panel:
    overall: Fraction | None
    complete: bool
    unanswered: int
    sections: list[SectionLine]
    critical_fails: list[tuple[str, str]]  # (question text, scope)
    has_na: bool


def build_panel(version: ScorecardVersion, provisional: scoring.Provisional) -> Panel:
    result = provisional.result
    questions: dict[int, ScorecardQuestion] = {
        q.id: q for s in version.sections for q in s.questions
    }
    unanswered = set(provisional.unanswered)
    lines = []
    for section in version.sections:
        detail = result.section_details.get(section.id) if result else None
        started = any(q.id not in unanswered for q in section.questions)
        lines.append(
            SectionLine(
                title=section.title,
                weight=section.weight,
                earned=detail.earned if detail else None,
                possible=detail.possible if detail else None,
                score=result.sections.get(section.id) if result else None,
                dropped=bool(result and section.id in result.dropped) or not started,
                not_started=not started,
                na_questions=[questions[q].text for q in (detail.na_questions if detail else ())],
                critical_failed=bool(detail and detail.critical_failed),
            )
        )
    fails = [
        (questions[q].text, questions[q].critical_scope or "")
        for q in (result.critical_failures if result else ())
    ]
    return Panel(
        overall=result.overall if result else None,
        complete=provisional.complete,
        unanswered=len(unanswered),
        sections=lines,
        critical_fails=fails,
        has_na=any(line.na_questions for line in lines),
    )
