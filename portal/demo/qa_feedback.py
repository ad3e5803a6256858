"""What demo evaluators write: overall comments that follow from the answers, and disputes and
resolutions that fit the contact's channel (a call has a recording, an e-mail a written reply).

The rule a comment follows (`comment_problems` checks it, the demo tests apply it to every
evaluation): nothing lost -> praise; otherwise the comment names the question(s) that lost the
most, always including a failed critical question, and never a question that lost nothing.
Demo text is data, in English, like the rest of the demo (not translated).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from portal.qa.models import ScorecardQuestion

# What the contact is called in a comment, and where its evidence is.
NOUN = {"phone": "call", "voicemail": "call-back", "email": "reply", "chat": "chat"}
EVIDENCE = {
    "phone": "the call recording",
    "voicemail": "the call-back recording",
    "email": "my written reply",
    "chat": "the chat transcript",
}
REREAD = {
    "phone": "Listened to the recording again",
    "voicemail": "Listened to the recording again",
    "email": "Read the e-mail thread again",
    "chat": "Read the chat transcript again",
}
PRAISE = {
    "phone": [
        "A clear, friendly call from greeting to close; nothing to add.",
        "Textbook call: verified, solved and summarised. Well done.",
    ],
    "voicemail": [
        "A prompt, complete call-back; everything on the card was covered.",
        "Well handled call-back: verified, solved and summarised.",
    ],
    "email": [
        "A complete, well-written reply; nothing to add.",
        "Every question answered in a warm, personal reply. Well done.",
    ],
    "chat": [
        "A quick, friendly chat that answered everything; nothing to add.",
        "Well-written chat: every question answered, on time.",
    ],
}

# Question text -> (what to work on, what the agent says when disputing it).
TOPICS = {
    "Greeted the customer and gave their name": (
        "open with a greeting and your name in the first seconds",
        "I greeted the customer and gave my name at the start",
    ),
    "Verified the caller's identity before discussing the account": (
        "verify the caller's identity before opening the account",
        "I verified the caller's identity before discussing the account",
    ),
    "Understood the customer's need": (
        "restate the customer's need and check you have it right",
        "I restated what the customer needed and they agreed",
    ),
    "Asked the questions needed to resolve": (
        "ask the questions you need before proposing a fix",
        "I asked every question the case needed",
    ),
    "Gave a correct and complete solution": (
        "check the solution against the knowledge base article",
        "the solution I gave matches the knowledge base article of that day",
    ),
    "Kept confidential information confidential": (
        "never repeat card numbers or passwords",
        "no card number or password was disclosed",
    ),
    "Summarised the next steps": (
        "summarise the next steps before closing",
        "I summarised the next steps before closing",
    ),
    "Offered further help": (
        "offer further help before closing",
        "I offered further help before closing",
    ),
    "Tone: courteous and confident": (
        "keep the tone warm and confident throughout",
        "my tone stayed courteous throughout",
    ),
    "Answered every question the customer asked": (
        "answer every question the customer asked, the main one first",
        "I answered every question the customer asked",
    ),
    "Grammar and spelling": (
        "proofread before sending",
        "the grammar and spelling are correct",
    ),
    "Tone fits the customer and the brand": (
        "match the customer's tone and keep to the brand voice",
        "the tone fits the customer and our brand voice",
    ),
    "Personalised, not a bare template": (
        "personalise the template to the customer's case",
        "I personalised the template to the customer's case",
    ),
    "Ticket categorised correctly": (
        "pick the ticket category that matches the request",
        "the ticket category matches the request",
    ),
    "Replied within the service level": (
        "reply within the service level",
        "I replied within the service level",
    ),
}


@dataclass(frozen=True)
class Outcome:
    """One answered question as the comment rule sees it: N/A answers have possible None."""

    question_id: int
    text: str
    earned: int | None
    possible: int | None
    failed: bool
    critical: bool
    weight: float = 1.0  # its section's weight over the section's points possible

    @property
    def lost(self) -> float:
        if self.possible is None or self.earned is None:
            return 0.0
        return (self.possible - self.earned) * self.weight

    @property
    def critical_failure(self) -> bool:
        return self.critical and self.failed


class AnswerRow(Protocol):
    """A stored answer's outcome (an EvaluationAnswer, or a row with the same columns)."""

    question_id: int
    earned: int | None
    possible: int | None
    failed: bool


@dataclass(frozen=True)
class QuestionFacts:
    """What the comment rule needs of a question, read once per scorecard."""

    text: str
    critical: bool
    weight: float  # its section's weight over the section's points possible
    order: tuple[int, int]


def question_facts(questions: Iterable[ScorecardQuestion]) -> dict[int, QuestionFacts]:
    """Question id -> its facts (sections and their questions loaded with the questions)."""
    facts = {}
    for question in questions:
        section = question.section
        points = sum(q.spec().possible for q in section.questions) or 1
        facts[question.id] = QuestionFacts(
            text=question.text,
            critical=question.critical_scope is not None,
            weight=float(section.weight) / points,
            order=(section.position, question.position),
        )
    return facts


def outcomes_of(facts: dict[int, QuestionFacts], rows: Iterable[AnswerRow]) -> list[Outcome]:
    """The outcomes of stored answers, in card order."""
    result = [
        Outcome(
            question_id=row.question_id,
            text=facts[row.question_id].text,
            earned=row.earned,
            possible=row.possible,
            failed=bool(row.failed),
            critical=facts[row.question_id].critical,
            weight=facts[row.question_id].weight,
        )
        for row in rows
    ]
    return sorted(result, key=lambda o: facts[o.question_id].order)


def _fix(text: str) -> str:
    return TOPICS[text][0] if text in TOPICS else f'work on "{text}"'


def _claim(text: str) -> str:
    return TOPICS[text][1] if text in TOPICS else f'"{text}" was done as the card asks'


def to_work_on(outcomes: Sequence[Outcome]) -> list[Outcome]:
    """The questions a comment names: every failed critical question, then those that lost
    the most (weighted by their section), two at most besides the critical ones."""
    critical = [o for o in outcomes if o.critical_failure]
    rest = [o for o in outcomes if o.lost > 0 and not o.critical_failure]
    rest.sort(key=lambda o: -o.lost)
    return critical + rest[:2]


def comment(rng: random.Random, channel: str, outcomes: Sequence[Outcome], score: float) -> str:
    """The evaluator's overall comment on these answers."""
    named = to_work_on(outcomes)
    if not named:
        return rng.choice(PRAISE[channel])
    noun = NOUN[channel]
    fixes = [_fix(o.text) for o in named]
    if named[0].critical_failure:
        opener = f"A critical question failed on this {noun}."
    elif score >= 85:
        opener = f"A good {noun} overall."
    elif score >= 70:
        opener = f"A fair {noun}."
    else:
        opener = f"This {noun} needs work."
    return f"{opener} To work on: {'; '.join(fixes)}."


def comment_problems(text: str, channel: str, outcomes: Sequence[Outcome]) -> list[str]:
    """How a comment breaks the rule above (empty when it follows it)."""
    problems = []
    named = {o.text for o in outcomes if _fix(o.text) in text}
    lost = {o.text for o in outcomes if o.lost > 0}
    if text in PRAISE[channel]:
        if lost:
            problems.append(f"praise although points were lost on {sorted(lost)}")
        return problems
    if not lost:
        problems.append("criticism although nothing was lost")
    if named - lost:
        problems.append(f"names questions that lost nothing: {sorted(named - lost)}")
    missing = {o.text for o in outcomes if o.critical_failure} - named
    if missing:
        problems.append(f"does not name the failed critical question(s) {sorted(missing)}")
    if lost and not named:
        problems.append("names no question although points were lost")
    if NOUN[channel] not in text:
        problems.append(f"does not speak of a {NOUN[channel]}")
    return problems


def dispute(channel: str, disputed: Outcome) -> tuple[str, str]:
    """The agent's overall reason and their reason on the disputed question."""
    claim = _claim(disputed.text)
    overall = f"Please check {EVIDENCE[channel]}: {claim}."
    return overall, f"{claim[0].upper()}{claim[1:]}; see {EVIDENCE[channel]}."


def upheld(channel: str, disputed: Outcome) -> str:
    return f'{REREAD[channel]}: "{disputed.text}" was scored right. The score stands.'


def rescored(channel: str, disputed: Outcome) -> str:
    return f'{REREAD[channel]}: the agent is right on "{disputed.text}". Re-scored.'
