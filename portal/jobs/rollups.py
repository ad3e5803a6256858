"""The nightly roll-up refresh, shared by `flask rollups refresh` and the daily job."""

from __future__ import annotations

import time
from datetime import date


def refresh_rollups(since: date | None = None) -> list[str]:
    """Recompute the daily KPI and QA roll-ups per org node, the evaluator overturn roll-up,
    the best 1:1 meeting per series and week and the 1:1 counts per node and week (all of it
    when `since` is None); one line per roll-up saying what was done. Each refresh replaces
    its rows, so running it again gives the same tables."""
    from portal.coaching import best_weeks
    from portal.kpis import rollup
    from portal.qa import overturn_rollup, rollup_daily

    lines = []
    started = time.perf_counter()
    nodes, rows = rollup.refresh(since)
    lines.append(f"KPI roll-up: {nodes} nodes, {rows} rows in {_since(started)} s.")

    started = time.perf_counter()
    pairs, rows = rollup_daily.refresh(since)
    lines.append(
        f"QA roll-up: {pairs} node × time zone pairs, {rows} daily rows in {_since(started)} s."
    )

    started = time.perf_counter()
    bounds, rows = overturn_rollup.refresh()
    lines.append(
        f"Overturn roll-up (always whole): {bounds} boundaries, {rows} rows in {_since(started)} s."
    )

    started = time.perf_counter()
    rows, per_node = best_weeks.refresh()
    lines.append(
        f"1:1 best meeting per week: {rows} rows, counts per node and week: {per_node} rows"
        f" in {_since(started)} s."
    )
    return lines


def _since(started: float) -> str:
    return f"{time.perf_counter() - started:.1f}"
