"""The QA routes (contacts, imports, scorecards) in the authorization matrix's shape.

QA_ROWS and qa_extras are merged into tests/test_authorization_matrix.py, which runs them with
every other route (and proves an allow-all or deny-all policy fails them).
"""

from __future__ import annotations

from portal.extensions import db
from portal.qa import contacts, scorecards
from portal.qa import scorecard_builder as builder
from portal.qa.models import Contact
from portal.qa.scorecard_rules import QuestionFields
from tests.authz import Row, expect
from tests.factories import World

SEES_A1 = ("self", "record_supervisor", "manager_above", "qa_analyst", "hr_admin")
HIDDEN_A1 = ("peer_agent", "other_supervisor", "trainer")
# Who scores contacts, and so reads scorecards: managers of people, QA analysts, HR.
REVIEWERS = ("record_supervisor", "other_supervisor", "manager_above", "qa_analyst", "hr_admin")


def a1_record(ok: int) -> dict[str, int]:
    table = expect(404)
    table.update({role: ok for role in SEES_A1})
    return table


def qa_staff(ok: int, others: int = 403) -> dict[str, int]:
    """QA analysts and HR get `ok`; every other signed-in role `others`."""
    return expect(others, qa_analyst=ok, hr_admin=ok)


def reviewers(ok: int) -> dict[str, int]:
    table = expect(403)
    table.update({role: ok for role in REVIEWERS})
    return table


def u(template: str):
    return lambda w: template.format(w=w)


CARD = "/qa/scorecards/{w.card_id}"


def version(w) -> dict:
    return {"version": str(w.card_version)}


def prefixed(prefix: str, **values: str):
    return lambda w: {
        f"{prefix}-{k}": v.format(w=w) for k, v in {**values, "version": "{w.card_version}"}.items()
    }


QUESTION = dict(text="Thanked the customer", answer_type="yes_no", points="2")

QA_ROWS: dict[str, Row] = {
    # contacts
    "qa.contact_list GET": Row("GET", u("/qa/contacts"), expect(200), hidden_from=HIDDEN_A1),
    "qa.contact_detail GET": Row("GET", u("/qa/contacts/{w.a1_contact_id}"), a1_record(200)),
    "qa.contact_import GET": Row("GET", u("/qa/contacts/import"), qa_staff(200)),
    "qa.contact_import POST": Row("POST", u("/qa/contacts/import"), qa_staff(422)),
    "qa.contact_import_status GET": Row(
        "GET", u("/qa/contacts/imports/{w.qa_import_id}"), qa_staff(200, others=404)
    ),
    "qa.contact_import_template GET": Row(
        "GET", u("/qa/contacts/import-template.csv"), qa_staff(200)
    ),
    # scorecards: read by reviewers, built by QA analysts and HR
    "qa.scorecard_list GET": Row("GET", u("/qa/scorecards"), reviewers(200)),
    "qa.scorecard_detail GET": Row("GET", u(CARD), reviewers(200)),
    "qa.scorecard_version_detail GET": Row("GET", u(CARD + "/versions/1"), reviewers(200)),
    "qa.scorecard_new GET": Row("GET", u("/qa/scorecards/new"), qa_staff(200)),
    "qa.scorecard_new POST": Row("POST", u("/qa/scorecards/new"), qa_staff(422)),
    "qa.scorecard_edit POST": Row(
        "POST", u(CARD + "/edit"), qa_staff(303), data=prefixed("card", name="Renamed")
    ),
    "qa.scorecard_publish POST": Row("POST", u(CARD + "/publish"), qa_staff(303), data=version),
    "qa.scorecard_archive POST": Row("POST", u(CARD + "/archive"), qa_staff(303), data=version),
    # Not archived: unarchiving is not a possible step (409), for those who may try.
    "qa.scorecard_unarchive POST": Row("POST", u(CARD + "/unarchive"), qa_staff(409), data=version),
    "qa.section_add POST": Row(
        "POST",
        u(CARD + "/sections"),
        qa_staff(303),
        data=prefixed("section-new", title="Closing", weight="10"),
    ),
    "qa.section_edit GET": Row("GET", u(CARD + "/sections/{w.section_id}/edit"), qa_staff(200)),
    "qa.section_edit POST": Row(
        "POST",
        u(CARD + "/sections/{w.section_id}/edit"),
        qa_staff(303),
        data=lambda w: prefixed(f"section-{w.section_id}", title="Hello", weight="30")(w),
    ),
    "qa.section_move POST": Row(
        "POST",
        u(CARD + "/sections/{w.section_id}/move"),
        qa_staff(303),
        data=lambda w: {**version(w), "direction": "down"},
    ),
    "qa.section_remove POST": Row(
        "POST", u(CARD + "/sections/{w.section_id}/remove"), qa_staff(303), data=version
    ),
    "qa.question_add POST": Row(
        "POST",
        u(CARD + "/sections/{w.section_id}/questions"),
        qa_staff(303),
        data=lambda w: prefixed(f"question-new-{w.section_id}", **QUESTION)(w),
    ),
    "qa.question_edit GET": Row("GET", u(CARD + "/questions/{w.question_id}/edit"), qa_staff(200)),
    "qa.question_edit POST": Row(
        "POST",
        u(CARD + "/questions/{w.question_id}/edit"),
        qa_staff(303),
        data=lambda w: prefixed(f"question-{w.question_id}", **QUESTION)(w),
    ),
    "qa.question_move POST": Row(
        "POST",
        u(CARD + "/questions/{w.question_id}/move"),
        qa_staff(303),
        data=lambda w: {**version(w), "direction": "down"},
    ),
    "qa.question_remove POST": Row(
        "POST", u(CARD + "/questions/{w.question_id}/remove"), qa_staff(303), data=version
    ),
    "qa.choice_add POST": Row(
        "POST",
        u(CARD + "/questions/{w.choice_question_id}/choices"),
        qa_staff(303),
        data=lambda w: prefixed(f"choice-new-{w.choice_question_id}", label="Maybe", points="1")(w),
    ),
    "qa.choice_edit GET": Row("GET", u(CARD + "/choices/{w.choice_id}/edit"), qa_staff(200)),
    "qa.choice_edit POST": Row(
        "POST",
        u(CARD + "/choices/{w.choice_id}/edit"),
        qa_staff(303),
        data=lambda w: prefixed(f"choice-{w.choice_id}", label="Fully", points="3")(w),
    ),
    "qa.choice_move POST": Row(
        "POST",
        u(CARD + "/choices/{w.choice_id}/move"),
        qa_staff(303),
        data=lambda w: {**version(w), "direction": "down"},
    ),
    "qa.choice_remove POST": Row(
        "POST", u(CARD + "/choices/{w.choice_id}/remove"), qa_staff(303), data=version
    ),
}


def qa_extras(world: World) -> dict:
    """A contact of A1 (carrying A1's marker), an import run by the QA analyst, and a draft
    scorecard (two sections; a yes/no and a two-choice question) ready to publish."""
    from datetime import UTC, datetime

    contact = Contact(
        channel="phone",
        source="matrix",
        external_id="EXT-MK-A1",
        person_id=world.agent_a1.id,
        occurred_at=datetime(2026, 3, 2, tzinfo=UTC),
        direction="inbound",
    )
    db.session.add(contact)
    db.session.commit()
    record = contacts.begin_contact_import(world.qa, file_name="matrix.csv")
    card = scorecards.create_scorecard(
        world.qa, name="Matrix card", description="", channels=[], market_ids=[]
    )
    for title in ("Opening", "Closing"):
        builder.add_section(card, world.qa, expected_version=card.version, title=title, weight="50")
    first, second = (s.id for s in card.current_version.sections)
    for section_id, kind in ((first, "yes_no"), (first, "choice"), (second, "yes_no")):
        fields = QuestionFields(
            text=f"A {kind} question",
            guidance="",
            answer_type=kind,
            points=5 if kind == "yes_no" else None,
            scale_max=None,
            na_allowed=False,
            critical_scope=None,
        )
        builder.add_question(
            card, section_id, world.qa, expected_version=card.version, fields=fields
        )
    yes_no, choice_question = card.current_version.sections[0].questions
    for label, points in (("Full", 2), ("None", 0)):
        builder.add_choice(
            card,
            choice_question.id,
            world.qa,
            expected_version=card.version,
            label=label,
            points=points,
            is_failing=points == 0,
        )
    return {
        "a1_contact_id": contact.id,
        "qa_import_id": record.id,
        "card_id": card.id,
        "card_version": card.version,
        "section_id": first,
        "question_id": yes_no.id,
        "choice_question_id": choice_question.id,
        "choice_id": choice_question.choices[0].id,
    }
