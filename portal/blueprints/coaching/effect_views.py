"""Coaching effect rolled up: per coach, team and question, the results before and after the
sessions held in a period, with n on each side (the arithmetic is in portal/coaching/effect.py)."""

from __future__ import annotations

from datetime import timedelta

from flask import request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import cache
from portal.coaching import effect, effect_queries
from portal.data_versions import COACHING, ORG, QA
from portal.htmx import render_view
from portal.time_format import today_for

from .views import bp

DAY_CHOICES = (90, 180, 365)


@bp.get("/effects")
@login_required
def effect_rollup():
    days = request.args.get("days", 180, type=int)
    if days not in DAY_CHOICES:
        days = 180
    end = today_for(current_user)
    start = end - timedelta(days=days - 1)
    # Remembered per viewer under the 1:1 (the sessions), QA (the evaluations before and after,
    # the questions' texts) and org (coaches, teams, who may see what) versions; the days come
    # from the viewer's today and the path's arguments, both in the key.
    no_team = _("No team")
    roll_ups = cache.remembered(
        "coaching.effects",
        (COACHING, QA, ORG),
        lambda: effect_queries.effect_roll_ups(current_user, start=start, end=end, no_team=no_team),
    )
    return render_view(
        "coaching/effect_rollup.html",
        roll_ups=roll_ups,
        days=days,
        day_choices=DAY_CHOICES,
        start=start,
        end=end,
        min_evaluations=effect.MIN_EVALUATIONS,
    )
