"""Who sees whom in the directory, its count, the export, profiles and the tree."""

import pytest

from tests.conftest import as_user
from tests.org.helpers import csv_rows, markers_in, table_markers

EVERYONE = {
    "MK-HEAD", "MK-MGRHK", "MK-MGRJP", "MK-SUPA", "MK-SUPB", "MK-SUPC",
    "MK-A1", "MK-A2", "MK-B1", "MK-C1", "MK-QA", "MK-TRAINER", "MK-HR",
}  # fmt: skip

EXPECTED = {
    "agent_a1": {"MK-A1"},
    "sup_a": {"MK-SUPA", "MK-A1", "MK-A2"},
    "manager_hk": {"MK-MGRHK", "MK-SUPA", "MK-SUPB", "MK-A1", "MK-A2", "MK-B1"},
    "qa": {"MK-QA", "MK-SUPA", "MK-A1", "MK-A2"},  # granted team A
    "trainer": {"MK-TRAINER", "MK-MGRJP", "MK-SUPC", "MK-C1"},  # granted market JP
    "hr": EVERYONE,
}


def _names(rows: list[dict]) -> set[str]:
    return {m for row in rows for m in markers_in(row["name"])}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_directory_count_and_export_show_exactly_the_people_in_reach(client, world, role):
    viewer = getattr(world, role)
    as_user(client, viewer)
    page = client.get("/org/people").get_data(as_text=True)
    expected = EXPECTED[role]
    assert table_markers(page) == expected
    count = len(expected)
    assert (f"{count} people" if count > 1 else "1 person") in page
    export = client.get("/org/people/export.csv")
    assert export.status_code == 200
    rows = csv_rows(export.get_data(as_text=True))
    assert _names(rows) == expected
    assert not markers_in(export.get_data(as_text=True)) - expected


def test_an_agents_export_does_not_name_their_managers_email(client, world):
    as_user(client, world.agent_a1)
    rows = csv_rows(client.get("/org/people/export.csv").get_data(as_text=True))
    assert [row["manager_email"] for row in rows] == [""]
    as_user(client, world.sup_a)
    rows = csv_rows(client.get("/org/people/export.csv").get_data(as_text=True))
    by_name = {row["employee_id"]: row["manager_email"] for row in rows}
    assert by_name["W-A1"] == "supa@world.example.com"


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_profiles_open_only_within_reach(client, world, role):
    viewer = getattr(world, role)
    as_user(client, viewer)
    for name in ("head", "sup_a", "agent_a1", "agent_a2", "agent_c1", "hr"):
        person = getattr(world, name)
        marker = "MK-" + person.employee_id.removeprefix("W-")
        response = client.get(f"/org/people/{person.id}")
        if marker in EXPECTED[role]:
            assert response.status_code == 200, (role, name)
            assert marker in response.get_data(as_text=True)
        else:
            assert response.status_code == 404, (role, name)
            assert marker not in response.get_data(as_text=True)


def test_an_agent_gets_404_on_a_peers_profile_like_on_a_missing_one(client, world):
    as_user(client, world.agent_a1)
    peer = client.get(f"/org/people/{world.agent_a2.id}")
    missing = client.get("/org/people/999999")
    assert peer.status_code == missing.status_code == 404
    assert "MK-A2" not in peer.get_data(as_text=True)


@pytest.mark.parametrize(
    ("role", "parent", "status"),
    [
        ("agent_a1", "sup_a", 404),
        ("agent_a1", "agent_a1", 200),
        ("sup_b", "sup_a", 404),
        ("sup_a", "sup_a", 200),
        ("manager_hk", "sup_b", 200),
        ("manager_hk", "manager_jp", 404),
        ("qa", "sup_a", 200),
        ("trainer", "sup_a", 404),
        ("hr", "head", 200),
    ],
)
def test_tree_children_load_only_for_visible_people(client, world, role, parent, status):
    as_user(client, getattr(world, role))
    person = getattr(world, parent)
    response = client.get(f"/org/tree/{person.id}/children", headers={"HX-Request": "true"})
    assert response.status_code == status


def test_tree_children_list_only_visible_reports(client, world):
    as_user(client, world.trainer)  # granted market JP, sees nobody in HK
    response = client.get(
        f"/org/tree/{world.manager_jp.id}/children", headers={"HX-Request": "true"}
    )
    assert markers_in(response.get_data(as_text=True)) == {"MK-SUPC"}
    as_user(client, world.hr)
    response = client.get(f"/org/tree/{world.head.id}/children", headers={"HX-Request": "true"})
    assert markers_in(response.get_data(as_text=True)) == {
        "MK-MGRHK", "MK-MGRJP", "MK-QA", "MK-TRAINER", "MK-HR"
    }  # fmt: skip


def test_the_tree_starts_at_the_viewer_for_a_normal_user(client, world):
    as_user(client, world.sup_a)
    page = client.get("/org/tree").get_data(as_text=True)
    body = page[page.index("<h1>") :]
    assert markers_in(body) == {"MK-SUPA"}
    assert "2 reports" in body
    assert f'hx-get="/org/tree/{world.sup_a.id}/children"' in body
    assert 'aria-expanded="false"' in body


def test_the_tree_starts_at_the_top_for_hr(client, world):
    as_user(client, world.hr)
    page = client.get("/org/tree").get_data(as_text=True)
    body = page[page.index("<h1>") :]
    assert markers_in(body) == {"MK-HEAD"}
    assert "5 reports" in body


def test_a_qa_analyst_tree_also_starts_at_the_granted_team(client, world):
    as_user(client, world.qa)
    page = client.get("/org/tree").get_data(as_text=True)
    body = page[page.index("<h1>") :]
    assert markers_in(body) == {"MK-QA", "MK-SUPA"}


def test_the_tree_cannot_start_at_someone_out_of_reach(client, world):
    as_user(client, world.sup_b)
    assert client.get(f"/org/tree?root={world.sup_a.id}").status_code == 404
    assert client.get(f"/org/tree?root={world.agent_b1.id}").status_code == 200
