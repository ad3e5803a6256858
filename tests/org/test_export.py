from portal.extensions import db
from tests.conftest import as_user
from tests.factories import PersonFactory
from tests.org.helpers import audit_entries, csv_rows


def test_the_export_neutralises_cells_that_would_run_as_formulas(client, world):
    PersonFactory(
        name='=HYPERLINK("http://evil.example","MK-EVIL")',
        name_romanised="+cmd|' /C calc'!A0",
        employee_id="@SUM(1)",
        manager=world.sup_a,
    )
    as_user(client, world.hr)
    rows = csv_rows(client.get("/org/people/export.csv").get_data(as_text=True))
    (evil,) = [r for r in rows if "MK-EVIL" in r["name"]]
    assert evil["name"].startswith("'=HYPERLINK")
    assert evil["name_romanised"].startswith("'+cmd")
    assert evil["employee_id"] == "'@SUM(1)"


def test_the_export_follows_the_filters_and_is_audited(client, world):
    as_user(client, world.hr)
    response = client.get(f"/org/people/export.csv?team={world.team_a.id}&q=MK-A")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="people-')
    rows = csv_rows(response.get_data(as_text=True))
    assert sorted(r["employee_id"] for r in rows) == ["W-A1", "W-A2"]
    (entry,) = audit_entries("person.export")
    assert entry.actor_id == world.hr.id and entry.record_type == "person"
    assert entry.after == {"count": 2, "filters": {"q": "MK-A", "team": world.team_a.id}}


def test_the_export_leaves_out_deactivated_people_unless_asked(client, world):
    world.agent_b1.is_active = False
    db.session.commit()
    as_user(client, world.hr)
    default = csv_rows(client.get("/org/people/export.csv").get_data(as_text=True))
    everyone = csv_rows(client.get("/org/people/export.csv?status=all").get_data(as_text=True))
    assert "W-B1" not in {r["employee_id"] for r in default}
    assert {"W-B1": "no"} == {
        r["employee_id"]: r["active"] for r in everyone if r["employee_id"] == "W-B1"
    }
