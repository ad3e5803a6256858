"""The evaluation routes in the authorization matrix's shape (merged into
tests/test_authorization_matrix.py). Agent A1's evaluations: one submitted, one draft (its
evaluator's alone), one disputed; A1's contacts carry A1's marker."""

from __future__ import annotations

from portal.extensions import db
from portal.qa import evaluations
from tests.authz import Row, expect
from tests.factories import World
from tests.qa.evaluation_helpers import full_answers, make_contact
from tests.qa.test_scorecards import build_card

# Who may score A1: the supervisor line and the QA analyst granted A1's team.
EVALUATORS = ("record_supervisor", "manager_above", "qa_analyst")
# Who sees A1's QA records without scoring them.
READERS_ONLY = ("self", "hr_admin")
HIDDEN = ("peer_agent", "other_supervisor", "trainer")
REVIEWERS = ("record_supervisor", "other_supervisor", "manager_above", "qa_analyst", "hr_admin")


def evaluators(ok: int, readers: int = 403) -> dict[str, int]:
    table = expect(404)
    table.update({role: ok for role in EVALUATORS})
    table.update({role: readers for role in READERS_ONLY})
    return table


def seen(ok: int, **overrides: int) -> dict[str, int]:
    table = expect(404)
    table.update({role: ok for role in EVALUATORS + READERS_ONLY})
    table.update(overrides)
    return table


def agent_only(ok: int) -> dict[str, int]:
    return seen(403, self=ok)


def u(template: str):
    return lambda w: template.format(w=w)


def v(key: str, **more: str):
    return lambda w: {"version": str(getattr(w, key)), **more}


EVAL = "/qa/evaluations/{w.eval_submitted_id}"
DRAFT = "/qa/evaluations/{w.eval_draft_id}"
DISPUTED = "/qa/evaluations/{w.eval_disputed_id}"

EVALUATION_ROWS: dict[str, Row] = {
    "qa.evaluate_queue GET": Row(
        "GET", u("/qa/evaluate"), expect(403, **{r: 200 for r in REVIEWERS})
    ),
    "qa.evaluation_list GET": Row("GET", u("/qa/evaluations"), expect(200), hidden_from=HIDDEN),
    "qa.my_evaluations GET": Row("GET", u("/qa/my-evaluations"), expect(200), hidden_from=HIDDEN),
    "qa.evaluation_agent_options GET": Row(
        "GET", u("/qa/evaluations/agent-options?q=MK"), expect(200), hidden_from=HIDDEN
    ),
    "qa.evaluator_overturns GET": Row(
        "GET", u("/qa/evaluators"), expect(403, qa_analyst=200, hr_admin=200)
    ),
    "qa.agent_summary GET": Row("GET", u("/qa/people/{w.agent_a1.id}/summary"), seen(200)),
    "qa.evaluation_new GET": Row(
        "GET", u("/qa/contacts/{w.eval_contact_id}/evaluate"), evaluators(200)
    ),
    "qa.evaluation_create POST": Row(
        "POST",
        u("/qa/contacts/{w.eval_contact_id}/evaluate"),
        evaluators(303),
        data=lambda w: {"action": "save"},
    ),
    # The autosave: an evaluator's first change starts their draft (200, the status line).
    "qa.evaluation_autosave POST": Row(
        "POST",
        u("/qa/contacts/{w.eval_contact_id}/evaluate/draft"),
        evaluators(200),
        data=lambda w: {"overall_comment": "So far so good"},
    ),
    "qa.evaluation_score POST": Row(
        "POST",
        u("/qa/scorecard-versions/{w.eval_version_id}/score"),
        expect(403, **{r: 200 for r in REVIEWERS}),
    ),
    "qa.evaluation_detail GET": Row("GET", u(EVAL), seen(200)),
    "qa.evaluation_revision GET": Row("GET", u(EVAL + "/revisions/1"), seen(200)),
    # The draft is its evaluator's (A1's supervisor) alone: 404 for everyone else.
    "qa.evaluation_edit GET": Row("GET", u(DRAFT + "/edit"), expect(404, record_supervisor=200)),
    "qa.evaluation_edit POST": Row(
        "POST",
        u(DRAFT + "/edit"),
        expect(404, record_supervisor=303),
        data=v("eval_draft_version", action="save"),
    ),
    # Only its evaluator may discard the draft (the contact goes back to the queue).
    "qa.evaluation_discard POST": Row(
        "POST",
        u(DRAFT + "/discard"),
        expect(404, record_supervisor=303),
        data=v("eval_draft_version"),
    ),
    "qa.evaluation_acknowledge POST": Row(
        "POST", u(EVAL + "/acknowledge"), agent_only(303), data=v("eval_submitted_version")
    ),
    "qa.evaluation_dispute GET": Row("GET", u(EVAL + "/dispute"), agent_only(200)),
    "qa.evaluation_dispute POST": Row(
        "POST",
        u(EVAL + "/dispute"),
        agent_only(303),
        data=v("eval_submitted_version", reason="Not fair"),
    ),
    "qa.evaluation_uphold POST": Row(
        "POST",
        u(DISPUTED + "/uphold"),
        evaluators(303),
        data=v("eval_disputed_version", reason="Stands"),
    ),
    "qa.evaluation_rescore GET": Row("GET", u(DISPUTED + "/rescore"), evaluators(200)),
    # An empty re-score form: refused at the fields (422) for those who may re-score.
    "qa.evaluation_rescore POST": Row(
        "POST", u(DISPUTED + "/rescore"), evaluators(422), data=v("eval_disputed_version")
    ),
}


def evaluation_extras(world: World) -> dict:
    card = build_card(world.qa, name="Matrix phone card")
    version = card.current_version
    fresh = make_contact(world.agent_a1, marker="-MK-A1")

    def scored(submit: bool):
        contact = make_contact(world.agent_a1, marker="-MK-A1")
        evaluation = evaluations.start(world.sup_a, contact, version)
        evaluations.save(
            world.sup_a,
            evaluation,
            full_answers(card),
            expected_version=evaluation.version,
            submit=submit,
        )
        return evaluation

    submitted, draft, disputed = scored(True), scored(False), scored(True)
    evaluations.dispute(
        world.agent_a1,
        disputed,
        reason="Unfair",
        question_reasons={},
        expected_version=disputed.version,
    )
    db.session.commit()
    return {
        "eval_contact_id": fresh.id,
        "eval_version_id": version.id,
        "eval_submitted_id": submitted.id,
        "eval_submitted_version": submitted.version,
        "eval_draft_id": draft.id,
        "eval_draft_version": draft.version,
        "eval_disputed_id": disputed.id,
        "eval_disputed_version": disputed.version,
    }
