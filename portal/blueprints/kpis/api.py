"""JSON: POST /api/kpi-values.

Authenticated by the signed-in session, and, like every POST, it needs the CSRF token in the
X-CSRFToken header (the portal has no personal access tokens yet, so it is not CSRF-exempt).
Body: {"values": [{"employee_id", "kpi", "date", "value" | "numerator"+"denominator" |
"value"+"weight"}, ...]}. All or nothing: 200 {"written": n} or 422 {"errors": [...]}.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user, login_required

from portal.db import utcnow
from portal.kpis import values

bp = Blueprint("kpis_api", __name__, url_prefix="/api")


@bp.post("/kpi-values")
@login_required
def kpi_values_post():
    body = request.get_json(silent=True)
    items = body.get("values") if isinstance(body, dict) else None
    outcome = values.import_json(current_user, items, today=utcnow().date())
    if outcome.ok:
        return jsonify({"written": outcome.written})
    return (
        jsonify(
            {
                "error": outcome.file_problem,
                "error_count": outcome.problem_count,
                "errors": [
                    {"row": p.row, "column": p.column, "message": p.message}
                    for p in outcome.problems
                ],
            }
        ),
        422,
    )
