"""/api/v1 with flask-smorest: OpenAPI 3.1 at /api/v1/openapi.json (no viewer page yet).

Every list is keyset-paged (`limit` up to 200, an opaque `cursor`, `next_cursor` in the answer)
and every record goes through portal.policy, so a token sees what its person sees on the pages
(404 outside their reach). Markets, segments, positions and teams are reference lists, not
about people: the pages show them to everyone signed in, so they are not scoped.
"""

from __future__ import annotations

import base64
import binascii

from flask import Flask, request
from flask_smorest import Api, Blueprint, abort
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from portal import keyset, policy
from portal.api.auth import MissingScope, require_scope, viewer
from portal.api.problems import MEDIA_TYPE, problem
from portal.extensions import csrf, db
from portal.org.models import Market, Person, Position, Segment, Team
from portal.params import BadCursor

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
BEARER = "bearerAuth"


# ---- schemas --------------------------------------------------------------------------------


class ProblemSchema(Schema):
    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.Raw())


class PageArgs(Schema):
    limit = fields.Integer(
        load_default=DEFAULT_LIMIT, validate=validate.Range(min=1, max=MAX_LIMIT)
    )
    cursor = fields.String(validate=validate.Length(min=1, max=200))


class PeopleArgs(PageArgs):
    updated_since = fields.AwareDateTime(
        metadata={"description": "Only people changed at or after this moment (with offset)."}
    )
    active = fields.Boolean(metadata={"description": "Only active (true) or inactive (false)."})
    team_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    market_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    manager_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


class PersonSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    name_romanised = fields.String(allow_none=True)
    email = fields.String()
    employee_id = fields.String()
    position_id = fields.Integer()
    market_id = fields.Integer(allow_none=True)
    segment_id = fields.Integer(allow_none=True)
    team_id = fields.Integer(allow_none=True)
    manager_id = fields.Integer(allow_none=True)
    hire_on = fields.Date(allow_none=True)
    locale = fields.String()
    time_zone = fields.String()
    is_active = fields.Boolean()
    deactivated_at = fields.AwareDateTime(allow_none=True)
    updated_at = fields.AwareDateTime()


class MarketSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    time_zone = fields.String()


class SegmentSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class PositionSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    rank = fields.Integer()
    is_active = fields.Boolean()


class TeamSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    market_id = fields.Integer(allow_none=True)


class PortalApi(Api):
    """flask-smorest's Api without its app-wide HTTPException handler: the portal's own
    handler (portal/errors.py) answers /api/v1 errors as problem+json and pages as HTML."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        pass

    def _register_responses(self) -> None:
        # The shared error responses (DEFAULT_ERROR, UNPROCESSABLE_ENTITY, ...) are
        # problem+json; an operation's own answers keep application/json.
        self.DEFAULT_RESPONSE_CONTENT_TYPE = MEDIA_TYPE
        try:
            super()._register_responses()
        finally:
            del self.DEFAULT_RESPONSE_CONTENT_TYPE


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item), required=True),
            "next_cursor": fields.String(
                allow_none=True,
                required=True,
                metadata={"description": "Pass as `cursor` for the next page; null on the last."},
            ),
        },
        name=name,
    )


PersonPage = page_schema(PersonSchema, "PersonPage")
MarketPage = page_schema(MarketSchema, "MarketPage")
SegmentPage = page_schema(SegmentSchema, "SegmentPage")
PositionPage = page_schema(PositionSchema, "PositionPage")
TeamPage = page_schema(TeamSchema, "TeamPage")


# ---- cursors --------------------------------------------------------------------------------


def encode_cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        padded = value + "=" * (-len(value) % 4)
        text = base64.b64decode(padded, altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        bad_cursor()
    if not text or encode_cursor(text) != value:
        bad_cursor()
    return text


def bad_cursor():
    abort(422, messages={"cursor": ["Not a cursor this list gave out."]})


def id_cursor(value: str | None) -> int | None:
    text = decode_cursor(value)
    if text is None:
        return None
    if not text.isdigit() or len(text) > 10:
        bad_cursor()
    return int(text)


def by_id_page(model: type, args: dict) -> dict:
    """A reference list ordered by id, keyset-paged."""
    limit = args["limit"]
    after = id_cursor(args.get("cursor"))
    stmt = select(model).order_by(model.id).limit(limit + 1)
    if after is not None:
        stmt = stmt.where(model.id > after)
    rows = list(db.session.execute(stmt).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": rows,
        "next_cursor": encode_cursor(str(rows[-1].id)) if more else None,
    }


# ---- routes ---------------------------------------------------------------------------------

blp = Blueprint(
    "api_v1",
    __name__,
    url_prefix="/api/v1",
    description="Read access to the organisation, under the token holder's visibility.",
)

PROBLEM_CODES = (401, 403, 422, 429)


def problems_doc(*codes: int):
    """Document the problem+json answers of an operation."""

    def decorate(view):
        for code in codes:
            view = blp.alt_response(
                code, schema=ProblemSchema, content_type=MEDIA_TYPE, description=str(code)
            )(view)
        return view

    return decorate


@blp.route("/people", endpoint="people_list")
@require_scope("people:read")
@blp.arguments(PeopleArgs, location="query", as_kwargs=True)
@blp.response(200, PersonPage)
@problems_doc(*PROBLEM_CODES)
def people_list(**args):
    """People the token holder may see, by last change (oldest first), keyset-paged."""
    limit = args["limit"]
    text = decode_cursor(args.get("cursor"))
    try:
        cursor = keyset.read_cursor(text)
    except BadCursor:
        bad_cursor()
    stmt = policy.scoped(select(Person), Person, viewer())
    if args.get("updated_since") is not None:
        stmt = stmt.where(Person.updated_at >= args["updated_since"])
    if args.get("active") is not None:
        stmt = stmt.where(Person.is_active.is_(args["active"]))
    for name in ("team_id", "market_id", "manager_id"):
        if args.get(name) is not None:
            stmt = stmt.where(getattr(Person, name) == args[name])
    sort = keyset.Sort("updated_at", "asc")
    stmt = keyset.ordered_page(stmt, Person.updated_at, Person.id, sort, cursor, limit)
    rows = list(db.session.execute(stmt).unique().scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more:
        last = rows[-1]
        next_cursor = encode_cursor(keyset.cursor_text(last.updated_at, last.id))
    return {"items": rows, "next_cursor": next_cursor}


@blp.route("/people/<int:person_id>", endpoint="person_detail")
@require_scope("people:read")
@blp.response(200, PersonSchema)
@problems_doc(*PROBLEM_CODES, 404)
def person_detail(person_id: int):
    """One person, if the token holder may see them (404 otherwise, as on the pages)."""
    return policy.get_visible_or_404(Person, person_id, viewer())


def _reference(model: type, page: type[Schema], endpoint: str, path: str, summary: str):
    @blp.route(path, endpoint=endpoint)
    @require_scope("org:read")
    @blp.arguments(PageArgs, location="query", as_kwargs=True)
    @blp.response(200, page)
    @problems_doc(*PROBLEM_CODES)
    def view(**args):
        return by_id_page(model, args)

    view.__doc__ = summary
    view.__name__ = endpoint
    return view


markets_list = _reference(Market, MarketPage, "markets_list", "/markets", "Markets, by id.")
segments_list = _reference(Segment, SegmentPage, "segments_list", "/segments", "Segments, by id.")
positions_list = _reference(
    Position, PositionPage, "positions_list", "/positions", "Job positions, by id."
)
teams_list = _reference(Team, TeamPage, "teams_list", "/teams", "Teams, by id.")


@blp.after_request
def conditional(response):
    """A successful read carries a strong ETag of its body and answers 304 to a matching
    If-None-Match (the token was checked first: a 304 is never given without one). Kept
    by a client only to revalidate ("private, no-cache"); anything else is never stored."""
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        response.add_etag()
        response.headers["Cache-Control"] = "private, no-cache"
        response.vary.add("Authorization")
        return response.make_conditional(request)
    response.headers.setdefault("Cache-Control", "no-store")
    return response


# ---- wiring ---------------------------------------------------------------------------------

API_CONFIG = {
    "API_TITLE": "Portal API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_SPEC_OPTIONS": {
        "security": [{BEARER: []}],
        "info": {"description": "Authenticate with `Authorization: Bearer <token>`."},
    },
    "API_RATE_LIMIT": "600/minute",
    "API_REFUSED_LIMIT": "30/minute",
}


def init_app(app: Flask) -> PortalApi:
    for name, value in API_CONFIG.items():
        app.config.setdefault(name, value)
    api = PortalApi(app)
    api.spec.components.security_scheme(
        BEARER, {"type": "http", "scheme": "bearer", "description": "A personal access token."}
    )
    api.register_blueprint(blp)
    csrf.exempt(blp)

    @app.errorhandler(MissingScope)
    def missing_scope(error: MissingScope):
        return problem(403, f"The token lacks the scope {error.args[0]!r}.")

    app.extensions["portal_api"] = api
    return api
