"""Lists sorted by a date column, keyset-paged: the sort asked for in the query ("sort" and
"dir"), its ORDER BY with the id as tie-break, the "rows after this one" condition and the
cursor text ("<iso datetime>~<id>"). One helper for every list that sorts by its dates, so
paging stays correct for each sort (the id breaks ties between equal dates)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, or_

from portal.params import BadCursor, read_datetime_key, split_cursor

DIRECTIONS = ("desc", "asc")
SEPARATOR = "~"


@dataclass(frozen=True)
class Sort:
    """A sort key (one of the list's names) and a direction, "desc" (newest first) or "asc"."""

    key: str
    direction: str = "desc"

    @property
    def descending(self) -> bool:
        return self.direction == "desc"

    def args(self, default: Sort) -> dict[str, str]:
        """This sort as query arguments, empty when it is the list's default."""
        return {} if self == default else {"sort": self.key, "dir": self.direction}

    def toggled(self, key: str) -> dict[str, str]:
        """Query arguments for a column header: the other direction on the active column,
        newest first on another one."""
        direction = "asc" if key == self.key and self.descending else "desc"
        return {"sort": key, "dir": direction}

    def aria(self, key: str) -> str | None:
        """The `aria-sort` value of a column header (None when it is not the sorted column)."""
        if key != self.key:
            return None
        return "descending" if self.descending else "ascending"


def read_sort(args: Mapping[str, Any], keys: Sequence[str], default: Sort) -> Sort:
    """The sort asked for, or the default for an unknown key or direction."""
    key = args.get("sort") or default.key
    direction = args.get("dir") or default.direction
    if key not in keys or direction not in DIRECTIONS:
        return default
    return Sort(key, direction)


def read_cursor(value: str | None) -> tuple[datetime, int] | None:
    """A cursor "<iso datetime with its offset>~<id>": None on the first page, BadCursor (400)
    when damaged (a moment without its offset included: the columns hold UTC moments)."""
    cursor = split_cursor(value, SEPARATOR, read_datetime_key)
    if cursor and cursor[0].tzinfo is None:
        raise BadCursor()
    return cursor


def cursor_text(at: datetime, ident: int) -> str:
    return f"{at.isoformat()}{SEPARATOR}{ident}"


def ordered_page(
    stmt: Select,
    column: Any,
    id_column: Any,
    sort: Sort,
    cursor: tuple[datetime, int] | None,
    limit: int,
) -> Select:
    """`stmt` ordered by (column, id) in the sort's direction, after the cursor's row, with one
    row more than `limit` (to know whether a next page exists). `column` must not be NULL
    (coalesce a nullable date first)."""
    if cursor is not None:
        at, last_id = cursor
        if sort.descending:
            after = or_(column < at, and_(column == at, id_column < last_id))
        else:
            after = or_(column > at, and_(column == at, id_column > last_id))
        stmt = stmt.where(after)
    if sort.descending:
        stmt = stmt.order_by(column.desc(), id_column.desc())
    else:
        stmt = stmt.order_by(column.asc(), id_column.asc())
    return stmt.limit(limit + 1)
