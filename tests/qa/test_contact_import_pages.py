"""The import pages: upload, progress fragment that stops polling, template, who may use them."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from sqlalchemy import func, select

from portal.db import utcnow
from portal.extensions import db
from portal.qa.models import Contact, ContactImport
from tests.conftest import as_user, post_form
from tests.qa.test_contact_import import HEADER, row


def csv_bytes(rows: list[dict]) -> bytes:
    lines = [",".join(HEADER)] + [",".join(r[c] for c in HEADER) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def upload(client, content: bytes, name: str = "contacts.csv"):
    return post_form(client, "/qa/contacts/import", {"file": (io.BytesIO(content), name)})


def test_a_qa_analyst_uploads_a_file_and_lands_on_its_result(client, world):
    as_user(client, world.qa)
    response = upload(client, csv_bytes([row("C-1"), row("C-2", channel="fax")]))
    assert response.status_code == 303
    status_url = response.headers["Location"]
    record = db.session.execute(select(ContactImport)).scalar_one()
    assert status_url.endswith(f"/qa/contacts/imports/{record.id}")
    body = client.get(status_url).get_data(as_text=True)
    assert "Import finished" in body
    assert "Every row of the file landed except those listed below." in body
    assert re.search(r"<td>3</td>\s*<td><code>channel</code></td>", body)
    assert db.session.execute(select(func.count(Contact.id))).scalar_one() == 1


def test_the_progress_fragment_polls_while_running_and_answers_286_when_done(client, world):
    running = ContactImport(imported_by_id=world.qa.id, file_name="big.csv", total_rows=10)
    db.session.add(running)
    db.session.commit()
    as_user(client, world.qa)
    url = f"/qa/contacts/imports/{running.id}"
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert 'hx-trigger="every 1s"' in fragment.get_data(as_text=True)
    running.status, running.imported_rows = "done", 10
    db.session.commit()
    done = client.get(url, headers={"HX-Request": "true"})
    assert done.status_code == 286
    assert "every 1s" not in done.get_data(as_text=True)
    assert client.get(url).status_code == 200  # the whole page, for a browser without htmx


def test_an_import_is_seen_only_by_its_importer_and_hr(client, world):
    record = ContactImport(imported_by_id=world.qa.id, file_name="mine.csv", status="done")
    db.session.add(record)
    db.session.commit()
    for person, status in [(world.sup_a, 404), (world.agent_a1, 404), (world.hr, 200)]:
        as_user(client, person)
        assert client.get(f"/qa/contacts/imports/{record.id}").status_code == status


def test_a_wrong_file_is_reported_in_one_message_and_nothing_changes(client, world):
    as_user(client, world.qa)
    response = upload(client, "naïve,columns\n1,2\n".encode("cp1252"))
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nothing was imported" in body and "not UTF-8" in body


def test_posting_without_a_file_keeps_the_form_with_a_message(client, world):
    as_user(client, world.qa)
    response = post_form(client, "/qa/contacts/import", {})
    assert response.status_code == 422
    assert "Choose a CSV file to import." in response.get_data(as_text=True)


def test_only_qa_analysts_and_hr_import_contacts(client, world):
    for person, status in [(world.sup_a, 403), (world.agent_a1, 403), (world.trainer, 403)]:
        as_user(client, person)
        assert client.get("/qa/contacts/import").status_code == status
        assert client.get("/qa/contacts/import-template.csv").status_code == status
    as_user(client, world.hr)
    assert client.get("/qa/contacts/import").status_code == 200


def test_the_template_downloads_as_csv_with_the_columns(client, world):
    as_user(client, world.qa)
    response = client.get("/qa/contacts/import-template.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.get_data(as_text=True).lstrip("\ufeff").startswith(",".join(HEADER))


def test_an_import_without_progress_for_ten_minutes_is_shown_as_stopped(client, world):
    stale = ContactImport(imported_by_id=world.qa.id, file_name="stuck.csv", total_rows=10)
    db.session.add(stale)
    db.session.commit()
    stale.updated_at = utcnow() - timedelta(minutes=11)
    db.session.commit()
    as_user(client, world.qa)
    response = client.get(f"/qa/contacts/imports/{stale.id}", headers={"HX-Request": "true"})
    assert response.status_code == 286
    assert "probably stopped" in response.get_data(as_text=True)
