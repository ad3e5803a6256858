"""The demo's comment rule (portal/demo/qa_feedback.py) on hand-made answers."""

from __future__ import annotations

import random

from portal.demo import qa_feedback
from portal.demo.qa_feedback import Outcome

GREETING = "Greeted the customer and gave their name"
IDENTITY = "Verified the caller's identity before discussing the account"
TONE = "Tone: courteous and confident"


def outcomes(greeting=2, identity=5, tone=4) -> list[Outcome]:
    return [
        Outcome(1, GREETING, greeting, 2, greeting < 2, False, 7.5),
        Outcome(2, IDENTITY, identity, 5, identity < 5, True, 1.5),
        Outcome(3, TONE, tone, 4, tone < 4, False, 2.2),
    ]


def test_all_good_is_praised_in_the_channels_words():
    text = qa_feedback.comment(random.Random(1), "email", outcomes(), 100.0)
    assert text in qa_feedback.PRAISE["email"]
    assert qa_feedback.comment_problems(text, "email", outcomes()) == []


def test_a_missed_greeting_is_what_the_comment_is_about():
    answers = outcomes(greeting=0)
    text = qa_feedback.comment(random.Random(1), "phone", answers, 85.0)
    assert "greeting" in text and "call" in text
    assert qa_feedback.comment_problems(text, "phone", answers) == []


def test_a_failed_critical_question_is_always_named_first():
    answers = outcomes(greeting=0, identity=0, tone=3)
    text = qa_feedback.comment(random.Random(1), "phone", answers, 0.0)
    assert text.startswith("A critical question failed")
    assert text.index("identity") < text.index("greeting")
    assert qa_feedback.comment_problems(text, "phone", answers) == []


def test_the_rule_catches_comments_that_contradict_the_answers():
    praise = qa_feedback.PRAISE["phone"][0]
    assert qa_feedback.comment_problems(praise, "phone", outcomes(tone=2))
    about_greeting = qa_feedback.comment(random.Random(1), "phone", outcomes(greeting=0), 85.0)
    assert qa_feedback.comment_problems(about_greeting, "phone", outcomes(tone=2))
    assert qa_feedback.comment_problems(about_greeting, "phone", outcomes(greeting=0, identity=0))


def test_disputes_cite_the_recording_only_for_calls():
    disputed = outcomes(greeting=0)[0]
    for channel in ("email", "chat"):
        texts = [*qa_feedback.dispute(channel, disputed), qa_feedback.upheld(channel, disputed)]
        assert not any("recording" in t or "Listened" in t for t in texts)
    for channel in ("phone", "voicemail"):
        assert "recording" in qa_feedback.dispute(channel, disputed)[0]
