"""The input layer end to end: bounded ids in URLs, bounded and clean query arguments, the base
form's field errors, filter links built from known names only, and the flush guard."""

from __future__ import annotations

import inspect
from datetime import date
from decimal import Decimal

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import func, select

from portal.business.models import BusinessReview
from portal.errors import ValidationFailed
from portal.extensions import db
from portal.forms import Form
from portal.input_guard import check_record
from portal.org.models import Market, Person
from tests.conftest import as_user, post_form


@pytest.mark.parametrize("ident", ["2147483648", "9223372036854775808", "1" + "0" * 20])
def test_an_id_beyond_the_database_integer_is_not_found(client, world, ident):
    as_user(client, world.hr)
    assert client.get(f"/org/people/{ident}").status_code == 404


def test_the_largest_integer_id_is_a_plain_not_found(client, world):
    as_user(client, world.hr)
    assert client.get("/org/people/2147483647").status_code == 404
    assert client.get(f"/org/people/{world.agent_a1.id}").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "team=99999999999999999999",
        "team=-1",
        "q=a%00b",
        "q=%1b%5b31m",
        "root=2147483648",
        "after=eyJ4Ijox",
        "sort=name&after=" + "A" * 200,
    ],
)
def test_hostile_query_arguments_never_fail_the_people_list(client, world, query):
    as_user(client, world.hr)
    response = client.get(f"/org/people?{query}")
    assert response.status_code in (200, 400)


def test_a_damaged_cursor_is_a_400_with_a_message(client, world):
    as_user(client, world.hr)
    response = client.get("/qa/evaluations?after=notanumber")
    assert response.status_code == 400
    assert "first page" in response.get_data(as_text=True)
    assert client.get(f"/qa/evaluations?after={2**31}").status_code == 400


def test_a_nul_byte_in_a_filter_reads_as_no_filter(client, world):
    as_user(client, world.hr)
    plain = client.get("/org/people").get_data(as_text=True)
    response = client.get("/org/people?q=MK-A1%00")
    assert response.status_code == 200
    assert world.agent_b1.name in response.get_data(as_text=True)
    assert world.agent_b1.name in plain


@pytest.mark.parametrize("on", ["0001-01-01", "9999-12-31", "2026-02-30", "garbage"])
def test_dates_out_of_range_fall_back_to_today_with_a_message(client, world, on):
    as_user(client, world.head)
    response = client.get(f"/teams/?period=month&on={on}")
    assert response.status_code == 200
    assert "between 1900 and 2100" in response.get_data(as_text=True)


@pytest.mark.parametrize("on", ["0001-01-01", "9999-12-31"])
def test_a_business_review_outside_the_dates_is_refused_at_the_field(client, world, on):
    as_user(client, world.sup_a)
    before = db.session.scalar(select(func.count()).select_from(BusinessReview))
    response = post_form(
        client,
        "/business/reviews/new",
        {"kind": "wbr", "node_id": str(world.sup_a.id), "on": on, "title": "Kept title"},
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "between 1900-01-01 and 2100-12-31" in body
    assert "Kept title" in body
    assert db.session.scalar(select(func.count()).select_from(BusinessReview)) == before


def test_control_characters_in_a_text_field_are_a_field_error_keeping_the_rest(client, world):
    as_user(client, world.sup_a)
    response = post_form(
        client,
        "/business/reviews/new",
        {"kind": "wbr", "node_id": str(world.sup_a.id), "on": "2026-11-03", "title": "a\x00b"},
    )
    assert response.status_code == 422
    assert "control characters" in response.get_data(as_text=True)


def test_every_form_derives_from_the_base_form(app):
    import portal.blueprints as blueprints

    seen = []
    pending = [FlaskForm]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        module = inspect.getmodule(cls)
        if module and module.__name__.startswith(blueprints.__name__):
            seen.append(cls)
            assert issubclass(cls, Form), f"{cls.__module__}.{cls.__name__} bypasses portal.forms"
    assert len(seen) > 40


def test_base_form_bounds_fields_without_their_own_length(app):
    from wtforms import HiddenField, IntegerField, StringField, TextAreaField

    class Probe(Form):
        class Meta:
            csrf = False

        token = HiddenField()
        line = StringField()
        text = TextAreaField()
        number = IntegerField()

    with app.test_request_context(method="POST", data={"token": "t" * 65, "line": "ok"}):
        form = Probe()
        assert not form.validate()
        assert "token" in form.errors and "line" not in form.errors
    with app.test_request_context(method="POST", data={"number": str(2**31), "text": "x\ty\r\n"}):
        form = Probe()
        assert not form.validate()
        assert "number" in form.errors and "text" not in form.errors


def test_the_flush_guard_names_the_field_the_database_would_refuse(world):
    market = db.session.get(Market, world.hk.id)
    market.name = "x" * 500
    assert "name" in check_record(market)
    with pytest.raises(ValidationFailed) as refused:
        db.session.flush()
    assert "name" in refused.value.field_errors
    db.session.rollback()


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "a\x00b"), ("hire_on", date(1, 1, 1)), ("hire_on", date(9999, 12, 31))],
)
def test_the_flush_guard_refuses_nul_and_dates_out_of_range(world, field, value):
    person = db.session.get(Person, world.agent_a1.id)
    setattr(person, field, value)
    assert field in check_record(person)


def test_the_flush_guard_refuses_numbers_beyond_their_columns(world):
    from portal.kpis.models import KpiTarget

    target = KpiTarget(target=Decimal("1e13"))
    assert "target" in check_record(target)
    target.target = Decimal("NaN")
    assert "target" in check_record(target)
    target.target = Decimal("999999999999.5")
    assert "target" not in check_record(target)


def test_filter_links_carry_only_the_names_a_page_knows(app):
    from portal.request_args import filter_args

    with app.test_request_context("/?status=draft&_method=FOO&endpoint=x&_external=1&after=5"):
        assert filter_args(("status", "agent")) == {"status": "draft"}


def test_a_csv_import_with_a_control_character_is_refused_whole_naming_the_line():
    from portal.org.importer import read_csv

    parsed = read_csv(b"name,email\nA,a@example.com\nB,b\x00@example.com\n")
    assert parsed.problem and "Line 3" in parsed.problem
    assert not parsed.rows
    assert read_csv(b"name,email\nA,a@example.com\n").problem != parsed.problem
