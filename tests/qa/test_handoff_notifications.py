"""QA hand-offs: a submitted evaluation reaches the agent, a dispute the evaluator who may
resolve it (urgent), each with a link to the evaluation; a contact import that finishes tells
the person who uploaded it, with a link to its report."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.notify import service
from portal.notify.models import Notification
from portal.qa import evaluations
from portal.qa.models import ImportStatus
from tests.notify.helpers import told
from tests.qa.evaluation_helpers import card_for, submitted
from tests.qa.test_contact_import import row, run


@pytest.fixture
def card(world):
    return card_for(world)


def test_submitted_goes_to_the_agent_and_disputed_to_the_evaluator(world, card):
    evaluation = submitted(world, card)
    url = f"/qa/evaluations/{evaluation.id}"
    assert told("evaluation.submitted") == [(world.agent_a1.id, evaluation.id, url)]
    evaluations.dispute(
        world.agent_a1, evaluation, reason="I confirmed the need", question_reasons={},
        expected_version=evaluation.version,
    )  # fmt: skip
    assert told("evaluation.disputed") == [(evaluation.evaluator_id, evaluation.id, url)]
    assert evaluation.evaluator_id != world.agent_a1.id
    assert "evaluation.disputed" in service.URGENT


def test_a_finished_contact_import_tells_the_uploader(world, tmp_path):
    record = run(tmp_path, world.qa, [row("C-1"), row("C-2", agent="W-NOBODY")])
    assert record.status == ImportStatus.DONE
    url = f"/qa/contacts/imports/{record.id}"
    assert told("import.contacts_done") == [(world.qa.id, record.id, url)]
    note = db.session.scalars(
        select(Notification).where(Notification.kind == "import.contacts_done")
    ).one()
    assert "1 imported" in service.message(note) and "1 refused" in service.message(note)


def test_a_failed_contact_import_tells_the_uploader_at_once(world, tmp_path):
    record = run(tmp_path, world.qa, [], name="header.csv")
    assert record.status == ImportStatus.FAILED
    assert told("import.contacts_failed") == [
        (world.qa.id, record.id, f"/qa/contacts/imports/{record.id}")
    ]
    assert told("import.contacts_done") == []
    assert "import.contacts_failed" in service.URGENT
