"""The last line of the input layer: before any flush, every new or changed record's values are
checked against their columns, so a value the database would refuse (a text longer than its
`varchar`, a NUL byte, an integer beyond `integer`, a number beyond its `numeric` precision, a
date outside the portal's range) answers 422 naming the field instead of a server error.

Forms check the same bounds at the field first (`portal.forms`); this catches every other path
(raw form reads, services, importers) in one place.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, Date, Integer, Numeric, SmallInteger, String, event, inspect
from sqlalchemy.orm import Mapper, Session

from portal.errors import ValidationFailed
from portal.params import DATE_MAX, DATE_MIN, INT_MAX

# (attribute key, kind, bound): kind is "text", "int", "num" or "date".
Check = tuple[str, str, object]


@cache
def _checks(mapper: Mapper) -> tuple[Check, ...]:
    checks: list[Check] = []
    for prop in mapper.column_attrs:
        if len(prop.columns) != 1:
            continue
        column_type = prop.columns[0].type
        if isinstance(column_type, String):
            checks.append((prop.key, "text", column_type.length))
        elif isinstance(column_type, BigInteger):
            continue
        elif isinstance(column_type, SmallInteger):
            checks.append((prop.key, "int", 2**15 - 1))
        elif isinstance(column_type, Integer):
            checks.append((prop.key, "int", INT_MAX))
        elif isinstance(column_type, Numeric) and column_type.precision:
            whole = column_type.precision - (column_type.scale or 0)
            checks.append((prop.key, "num", Decimal(10) ** whole))
        elif isinstance(column_type, Date):
            checks.append((prop.key, "date", None))
    return tuple(checks)


def refusal(kind: str, bound: object, value: object) -> str | None:
    """Why the database would refuse `value` in a column of this kind, or None."""
    if value is None:
        return None
    if kind == "text" and isinstance(value, str):
        if "\x00" in value:
            return str(_l("This field cannot contain control characters."))
        if bound is not None and len(value) > bound:  # type: ignore[operator]
            return str(_l("Use at most %(n)s characters.", n=bound))
    elif kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        if not -bound - 1 <= value <= bound:  # type: ignore[operator]
            return str(_l("This number is too large."))
    elif kind == "num" and isinstance(value, (int, float, Decimal)):
        number = Decimal(value) if not isinstance(value, Decimal) else value
        if (isinstance(value, float) and not math.isfinite(value)) or not number.is_finite():
            return str(_l("Enter a number."))
        if abs(number) >= bound:  # type: ignore[operator]
            return str(_l("This number is too large."))
    elif kind == "date" and isinstance(value, date):
        day = value.date() if isinstance(value, datetime) else value
        if not DATE_MIN <= day <= DATE_MAX:
            return str(
                _l(
                    "Use a date between %(first)s and %(last)s.",
                    first=DATE_MIN.isoformat(),
                    last=DATE_MAX.isoformat(),
                )
            )
    return None


def check_record(record: object, *, changed_only: bool = False) -> dict[str, str]:
    """The fields of one record the database would refuse, with why (with `changed_only`, only
    the attributes changed since it was loaded)."""
    state = inspect(record)
    values = state.dict
    changed = state.committed_state if changed_only else None
    errors: dict[str, str] = {}
    for key, kind, bound in _checks(state.mapper):
        if changed is not None and key not in changed:
            continue
        value = values.get(key)
        if value is None:
            continue
        why = refusal(kind, bound, value)
        if why:
            errors[key] = why
    return errors


def _before_flush(session: Session, _context, _instances) -> None:
    for record, changed_only in (
        *((r, False) for r in session.new),
        *((r, True) for r in session.dirty),
    ):
        errors = check_record(record, changed_only=changed_only)
        if errors:
            field, why = next(iter(errors.items()))
            raise ValidationFailed(
                str(_l("%(field)s: %(why)s", field=field.replace("_", " "), why=why)),
                field_errors=errors,
            )


def init_app() -> None:
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
