"""Importing people through the page: all rows or none, errors by row and column."""

import io

from sqlalchemy import func, select

from portal.extensions import db
from portal.org.models import Person
from tests.conftest import as_user, post_form
from tests.org.helpers import audit_entries

HEADER = (
    "name,name_romanised,email,employee_id,position,manager_email,hire_on,position_since_on,"
    "market,segment,team,locale,time_zone,active"
)


def upload(client, text: str | bytes, filename: str = "people.csv"):
    data = text.encode() if isinstance(text, str) else text
    return post_form(client, "/org/people/import", {"file": (io.BytesIO(data), filename)})


def people_count() -> int:
    return db.session.execute(select(func.count(Person.id))).scalar_one()


def person(email: str) -> Person | None:
    db.session.expire_all()
    return db.session.execute(select(Person).where(Person.email == email)).scalar_one_or_none()


GOOD = "\n".join(
    [
        HEADER,
        # The agent comes before their supervisor, who is also new.
        "代理人 MK-IMP1,Doi Lei Yan,imp1@world.example.com,W-IMP1,agent,imp-sup@world.example.com,"
        "2025-01-06,2025-01-06,HK,SMALL,Team A,zh_Hant,Asia/Hong_Kong,yes",
        "Sup MK-IMPSUP,,imp-sup@world.example.com,W-IMPSUP,supervisor,mgrhk@world.example.com,"
        "2024-05-01,2025-01-06,HK,,Team A,en,,yes",
        "Left MK-IMP2,,imp2@world.example.com,W-IMP2,agent,imp-sup@world.example.com,"
        "2023-02-01,,HK,,,en,,no",
    ]
)


def test_a_good_file_imports_everyone_in_one_go_with_one_audit_entry(client, world):
    as_user(client, world.hr)
    before = people_count()
    response = upload(client, "\ufeff" + GOOD)
    assert response.status_code == 303
    assert people_count() == before + 3
    sup, agent, left = (
        person("imp-sup@world.example.com"),
        person("imp1@world.example.com"),
        person("imp2@world.example.com"),
    )
    assert sup.manager_id == world.manager_hk.id
    assert agent.manager_id == sup.id and agent.path == sup.path + f"{agent.id}/"
    assert agent.team_id == world.team_a.id and agent.locale == "zh_Hant"
    assert sup.time_zone == "Asia/Hong_Kong"  # the market's zone when left empty
    assert left.is_active is False and left.deactivated_at is not None
    (entry,) = audit_entries("person.import")
    assert entry.after == {"count": 3} and entry.actor_id == world.hr.id
    page = client.get("/org/people").get_data(as_text=True)
    assert "3 people were imported." in page


def test_a_file_with_bad_rows_imports_nothing_and_lists_each_problem(client, world):
    as_user(client, world.hr)
    before = people_count()
    bad = GOOD.replace("2025-01-06,2025-01-06,HK", "06/01/2025,2025-01-06,HK").replace(
        "W-IMP2,agent", "W-IMP2,astronaut"
    )
    response = upload(client, bad)
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert people_count() == before
    assert "Nothing was imported" in text
    table = text[text.index('id="import-errors"') :]
    assert "<tr><td>2</td><td>hire_on</td>" in table
    assert "<tr><td>4</td><td>position</td>" in table
    assert audit_entries("person.import") == []


def test_duplicate_emails_in_the_file_or_the_portal_are_refused(client, world):
    as_user(client, world.hr)
    duplicated = GOOD.replace("imp2@world.example.com", "IMP1@world.example.com").replace(
        "imp-sup@world.example.com,W-IMPSUP", "a1@world.example.com,W-IMPSUP"
    )
    response = upload(client, duplicated)
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This e-mail is also in row 2." in text
    assert "Someone with this e-mail is already in the portal." in text
    assert person("imp1@world.example.com") is None


def test_a_file_in_another_encoding_gets_one_clear_message(client, world):
    as_user(client, world.hr)
    response = upload(client, GOOD.encode("utf-16"))
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The file is not UTF-8 text." in text
    assert 'id="import-errors"' not in text
    assert person("imp1@world.example.com") is None


def test_wrong_columns_get_one_clear_message(client, world):
    as_user(client, world.hr)
    response = upload(client, GOOD.replace("employee_id", "staff_no", 1))
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "missing: employee_id" in text and "not known: staff_no" in text
    assert person("imp1@world.example.com") is None


def test_uploading_nothing_is_a_field_error(client, world):
    as_user(client, world.hr)
    response = post_form(client, "/org/people/import", {})
    assert response.status_code == 422
    assert "Choose a CSV file to upload." in response.get_data(as_text=True)


def test_the_template_has_every_column_and_an_example(client, world):
    as_user(client, world.hr)
    response = client.get("/org/people/import-template.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0] == HEADER and len(lines) == 2


def test_the_import_page_explains_all_or_nothing(client, world):
    as_user(client, world.hr)
    page = client.get("/org/people/import").get_data(as_text=True)
    assert "nothing is imported" in page
    assert 'enctype="multipart/form-data"' in page
