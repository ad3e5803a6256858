"""Importing daily KPI values by CSV and JSON: bad rows, all or nothing, re-import replaces."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.kpis.models import KpiValue
from tests.conftest import as_user, csrf_header, post_form
from tests.kpis.kpi_world import build_kpis

HEADER = "employee_id,kpi,date,value,numerator,denominator,weight\n"


@pytest.fixture
def kw(world):
    return build_kpis(world)


def upload(client, text: str):
    return post_form(
        client,
        "/kpis/values/import",
        data={"file": (io.BytesIO(text.encode()), "values.csv")},
        content_type="multipart/form-data",
    )


def count() -> int:
    return db.session.execute(select(func.count(KpiValue.id))).scalar_one()


def test_a_good_file_imports_every_row(client, world, kw):
    as_user(client, world.sup_a)
    before = count()
    text = HEADER + (
        f"{world.agent_a1.employee_id},csat,2026-10-01,4.5,,,12\n"
        f"{world.agent_a2.employee_id},ret,2026-10-01,,4,9,\n"
    )
    response = upload(client, text)
    assert response.status_code in (303, 204)
    assert count() == before + 2


def test_reimporting_the_same_person_kpi_and_day_replaces_the_value(client, world, kw):
    as_user(client, world.sup_a)
    before = count()
    upload(client, HEADER + f"{world.agent_a1.employee_id},aht,2026-10-01,300,,,\n")
    upload(client, HEADER + f"{world.agent_a1.employee_id},aht,2026-10-01,250,,,\n")
    assert count() == before + 1
    value = db.session.execute(
        select(KpiValue.value)
        .where(KpiValue.person_id == world.agent_a1.id, KpiValue.kpi_id == kw.aht.id)
        .order_by(KpiValue.value_on.asc())
        .limit(1)
    ).scalar_one()
    assert Decimal(value) == Decimal(250)


def test_a_bad_row_imports_nothing_and_names_row_and_column(client, world, kw):
    as_user(client, world.sup_a)
    before = count()
    text = HEADER + (
        f"{world.agent_a1.employee_id},csat,2026-10-01,4.5,,,12\n"
        f"{world.agent_a1.employee_id},csat,2026-10-02,abc,,,12\n"
        f"{world.agent_a1.employee_id},ret,2026-10-02,,3,0,\n"
        f"{world.agent_a1.employee_id},nope,2026-13-02,1,,,\n"
        f"{world.agent_c1.employee_id},aht,2026-10-02,300,,,\n"
        f"{world.agent_a1.employee_id},csat,2026-10-01,4.5,,,12\n"
        f"{world.agent_a1.employee_id},aht,2999-01-01,300,,,\n"
    )
    response = upload(client, text)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert count() == before
    assert "Nothing was imported" in body
    assert "is not a number" in body and "denominator cannot be zero" in body
    assert "No active KPI" in body and "YYYY-MM-DD" in body
    assert "No person you may report on" in body  # C1 is outside sup A's subtree
    assert "Same person, KPI and day as row 2" in body
    assert "in the future" in body


def test_a_file_with_a_wrong_header_is_refused_whole(client, world, kw):
    as_user(client, world.sup_a)
    response = upload(client, "who,what\n1,2\n")
    assert response.status_code == 422
    assert "Missing: employee_id" in response.get_data(as_text=True)


def test_an_agent_may_not_import(client, world, kw):
    as_user(client, world.agent_a1)
    assert upload(client, HEADER).status_code == 403


def test_the_json_endpoint_writes_all_or_nothing(client, world, kw):
    as_user(client, world.sup_a)
    token = csrf_header(client)
    before = count()
    good = {
        "employee_id": world.agent_a1.employee_id,
        "kpi": "aht",
        "date": "2026-09-01",
        "value": 310,
    }
    bad = {"employee_id": world.agent_a1.employee_id, "kpi": "aht", "date": "2026-09-02"}
    response = client.post(
        "/api/kpi-values",
        data=json.dumps({"values": [good, bad]}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 422
    assert response.json["errors"][0] == {
        "row": 1,
        "column": "value",
        "message": "This KPI needs a value.",
    }
    assert count() == before
    response = client.post(
        "/api/kpi-values",
        data=json.dumps({"values": [good]}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200 and response.json == {"written": 1}
    assert count() == before + 1


def test_the_json_endpoint_needs_the_csrf_header(client, world, kw):
    as_user(client, world.sup_a)
    response = client.post("/api/kpi-values", json={"values": []})
    assert response.status_code == 400


def test_a_kpi_for_other_positions_is_refused(client, world, kw):
    from portal.org.models import Position

    kw.aht.positions = [db.session.get(Position, world.sup_a.position_id)]
    db.session.commit()
    as_user(client, world.sup_a)
    response = upload(client, HEADER + f"{world.agent_a1.employee_id},aht,2026-10-01,300,,,\n")
    assert response.status_code == 422
    assert "does not apply to this person" in response.get_data(as_text=True)
